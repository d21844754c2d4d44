//! The re-permission page (`/n/{token}`): "still want our mail?". GET shows
//! the consent text and one button (a link scanner only fetches, so it
//! renews nothing); POST renews. Someone with nothing to renew sees where
//! they stand and no button.

use doi_core::html::Escaped;
use doi_core::text::Msg;
use doi_core::{ListId, SubscriberState, Timestamp};

use crate::pages::{hidden, standing, Shell};

/// What the page shows.
pub struct Model<'a> {
    /// Language and sender.
    pub shell: Shell<'a>,
    /// The list the link is for.
    pub list: &'a ListId,
    /// The subscriber as the snapshot says.
    pub state: &'a SubscriberState,
    /// Now, for the standing sentence.
    pub now: Timestamp,
    /// Where the button posts.
    pub action: &'a str,
    /// Whether a press may renew (core's `lifecycle::renewable`).
    pub renewable: bool,
    /// The press was just recorded.
    pub renewed: bool,
}

/// The page.
pub fn render(m: &Model<'_>) -> String {
    let shell = &m.shell;
    let mut main = String::new();
    let form = shell.config.primary_form(m.list);
    if m.renewed {
        main.push_str(&format!(
            "<p class=\"notice\" role=\"status\">{}</p>",
            Escaped(&shell.with_sender(Msg::Renewed))
        ));
    } else if let (true, Some(form)) = (m.renewable, form) {
        main.push_str(&format!(
            "<p>{lead}</p><p>{intro}</p><p class=\"consent\">{text}</p>\
<form method=\"post\" action=\"{action}\">{h}<button type=\"submit\" class=\"primary\">{button}</button></form>",
            lead = Escaped(&shell.with_sender(Msg::RenewLead)),
            intro = Escaped(shell.t(Msg::ResubscribeConsent)),
            text = Escaped(form.consent.get(shell.locale)),
            action = Escaped(m.action),
            h = hidden(
                "consent_version",
                &form.consent_version(shell.locale).to_string()
            ),
            button = Escaped(shell.t(Msg::RenewButton)),
        ));
    } else {
        main.push_str(&format!("<p>{}</p>", Escaped(shell.t(Msg::RenewNothing))));
    }
    main.push_str(&standing::render(shell, m.list, m.state, m.now));
    shell.page(shell.t(Msg::RenewTitle), &main)
}

#[cfg(test)]
mod tests {
    use super::*;
    use doi_core::Locale;

    fn list() -> ListId {
        ListId::parse("updates").unwrap()
    }

    fn model<'a>(list: &'a ListId, state: &'a SubscriberState, renewable: bool) -> Model<'a> {
        Model {
            shell: Shell {
                config: crate::pages::tests::config(),
                locale: Locale::Ja,
            },
            list,
            state,
            now: Timestamp(0),
            action: "/n/t?lang=ja",
            renewable,
            renewed: false,
        }
    }

    #[test]
    fn a_renewable_consent_gets_the_text_and_one_button_that_posts() {
        let (l, s) = (list(), SubscriberState::default());
        let html = render(&model(&l, &s, true));
        assert!(html.contains("<form method=\"post\" action=\"/n/t?lang=ja\">"));
        assert!(html.contains("今後も受け取る"));
        assert!(html.contains("製品アップデートのお知らせ"));
    }

    #[test]
    fn nothing_to_renew_shows_no_button() {
        let (l, s) = (list(), SubscriberState::default());
        let html = render(&model(&l, &s, false));
        assert!(!html.contains("<form"));
        assert!(html.contains("継続できる登録がありません"));
    }
}
