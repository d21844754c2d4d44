//! "Lost the mail? Get a link": who gets a fresh preference link when
//! someone types an address into the hosted page `/m`, and the mail that
//! carries it.
//!
//! The page answers the same whatever is decided here (the decision is
//! made after the answer, in the background): it must never tell a visitor
//! whether an address is known.

use crate::prelude::*;

use crate::config::Config;
use crate::fold::SubscriberState;
use crate::html::Escaped;
use crate::locale::Locale;
use crate::mail::{footer, MailMessage};
use crate::slug::ListId;
use crate::text::{t, Msg};

/// The list whose preference page the link opens: the first list the
/// person ever signed up to or left (the page shows where they stand and
/// lets them leave or come back). `None` for an unknown or erased address:
/// then no mail is sent.
pub fn list_to_link(state: &SubscriberState) -> Option<ListId> {
    if state.erased {
        return None;
    }
    state.lists.keys().next().cloned()
}

/// The mail with the fresh preference link.
pub fn manage_link_mail(
    config: &Config,
    locale: Locale,
    preferences_url: &str,
    unsubscribe_url: &str,
) -> MailMessage {
    let name = config.sender.name.get(locale);
    let subject = t(Msg::ManageMailSubject, locale, &[("sender", name)]);
    let body = t(Msg::ManageMailBody, locale, &[("sender", name)]);
    let ignore = Msg::ManageMailIgnore.text(locale);
    let (footer_text, footer_html) = footer(config, locale, unsubscribe_url, preferences_url);
    let text = format!("{body}\n\n{preferences_url}\n\n{ignore}\n\n{footer_text}");
    let html = format!(
        "<div lang=\"{lang}\"><p>{body}</p><p><a href=\"{p}\">{pl}</a></p><p>{ignore}</p>{footer_html}</div>",
        lang = locale.tag(),
        body = Escaped(&body),
        p = Escaped(preferences_url),
        pl = Escaped(Msg::FooterPreferences.text(locale)),
        ignore = Escaped(ignore),
    );
    MailMessage {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_one_unknown_or_erased_gets_a_link() {
        let mut s = SubscriberState::default();
        assert_eq!(list_to_link(&s), None);
        s.lists.insert(
            ListId::parse("newsletter").unwrap(),
            crate::fold::ListState {
                status: crate::fold::Status::Unsubscribed,
                topics: Vec::new(),
                frequency: None,
                paused_until: None,
                consent: None,
                exit: None,
                confirmed: None,
            },
        );
        assert_eq!(list_to_link(&s), ListId::parse("newsletter"));
        s.erased = true;
        assert_eq!(list_to_link(&s), None);
    }
}
