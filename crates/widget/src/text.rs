//! The catalogue messages the widget shows, resolved at compile time.
//!
//! Every word comes from doi-core's catalogue ([`Msg`]); `Msg::text` is a
//! `const fn`, so these constants hold just the strings the widget needs.
//! Calling `Msg::text` at run time instead would compile the whole
//! catalogue (every page of the Worker, in two languages) into the widget.

use doi_core::text::Msg;
use doi_core::Locale;

/// A message in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    ja: &'static str,
    en: &'static str,
}

impl Text {
    const fn of(msg: Msg) -> Text {
        Text {
            ja: msg.text(Locale::Ja),
            en: msg.text(Locale::En),
        }
    }

    /// The message in `locale`.
    pub fn get(self, locale: Locale) -> &'static str {
        match locale {
            Locale::Ja => self.ja,
            Locale::En => self.en,
        }
    }
}

/// Label of the email field.
pub const EMAIL_LABEL: Text = Text::of(Msg::EmailLabel);
/// "required".
pub const REQUIRED: Text = Text::of(Msg::Required);
/// Legend of the topic choices.
pub const TOPICS_LEGEND: Text = Text::of(Msg::TopicsLegend);
/// Link to the privacy policy.
pub const PRIVACY_POLICY: Text = Text::of(Msg::PrivacyPolicy);
/// Label of the honeypot.
pub const HONEYPOT_LABEL: Text = Text::of(Msg::HoneypotLabel);
/// Submit button.
pub const SUBSCRIBE: Text = Text::of(Msg::Subscribe);
/// While sending.
pub const SENDING: Text = Text::of(Msg::Sending);
/// Before a retry.
pub const RETRYING: Text = Text::of(Msg::Retrying);
/// The box is not ticked.
pub const CONSENT_REQUIRED: Text = Text::of(Msg::ConsentRequired);
/// No topic ticked.
pub const TOPIC_REQUIRED: Text = Text::of(Msg::TopicRequired);
/// The Worker refused the address.
pub const EMAIL_INVALID: Text = Text::of(Msg::EmailInvalid);
/// Gave up after retries.
pub const NETWORK_FAILED: Text = Text::of(Msg::NetworkFailed);
/// Done, no confirmation needed.
pub const SUBSCRIBED: Text = Text::of(Msg::Subscribed);
/// Done, confirmation mail on its way.
pub const CHECK_INBOX: Text = Text::of(Msg::CheckInbox);
/// Refused for another reason.
pub const SUBMISSION_REFUSED: Text = Text::of(Msg::SubmissionRefused);
/// The text changed while the page was open.
pub const CONSENT_TEXT_CHANGED: Text = Text::of(Msg::ConsentTextChanged);
/// Rate limited.
pub const TOO_MANY_REQUESTS: Text = Text::of(Msg::TooManyRequests);
/// Turnstile's check was not passed (or not finished) before sending.
pub const TURNSTILE_FAILED: Text = Text::of(Msg::TurnstileFailed);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_the_catalogues() {
        assert_eq!(SUBSCRIBE.get(Locale::Ja), Msg::Subscribe.text(Locale::Ja));
        assert_eq!(SUBSCRIBE.get(Locale::En), Msg::Subscribe.text(Locale::En));
    }
}
