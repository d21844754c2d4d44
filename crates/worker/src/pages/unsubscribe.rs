//! The unsubscribe page (`/u/{token}`): its first and largest action stops
//! all mail in one press; below it, ways to keep some mail (topics,
//! frequency, a pause). After a change it says plainly what is now true.

use doi_core::html::Escaped;
use doi_core::text::{t, Msg};
use doi_core::{ListId, SubscriberState, Timestamp, TopicId};

use crate::pages::{hidden, preferences, standing, Shell};

/// What just happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// Everything stopped.
    All,
    /// One list stopped (RFC 8058 one-click).
    List,
    /// One topic stopped.
    Topic(TopicId),
}

/// The unsubscribe page.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    /// Sender and language.
    pub shell: Shell<'a>,
    /// The list of the link.
    pub list: &'a ListId,
    /// The topic, for a topic link.
    pub topic: Option<&'a TopicId>,
    /// The subscriber's state (after the change, if any).
    pub state: &'a SubscriberState,
    /// Now.
    pub now: Timestamp,
    /// Where the unsubscribe buttons post (`/u/{token}?lang=…`).
    pub action: &'a str,
    /// The preference page of the same person (`/p/{token}?lang=…`).
    pub preferences: &'a str,
    /// What just happened.
    pub done: Option<Done>,
}

/// Renders the page.
pub fn render(m: &Model<'_>) -> String {
    let shell = &m.shell;
    let l = shell.locale;
    let mut main = String::new();
    match &m.done {
        Some(done) => {
            let text = match done {
                Done::All => shell.with_sender(Msg::UnsubscribedAll),
                Done::List => {
                    let list = standing::list_name(shell, m.list);
                    t(Msg::UnsubscribedList, l, &[("list", &list)])
                }
                Done::Topic(topic) => {
                    let name = standing::topic_name(shell, m.list, topic);
                    t(Msg::UnsubscribedTopic, l, &[("topic", &name)])
                }
            };
            main.push_str(&format!(
                "<p class=\"notice\" role=\"status\">{}</p>",
                Escaped(&text)
            ));
            main.push_str(&standing::render(shell, m.list, m.state, m.now));
            main.push_str(&format!("<h2>{}</h2>", Escaped(shell.t(Msg::ReasonLegend))));
            main.push_str(&preferences::reason_form(shell, m.preferences));
            main.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>",
                Escaped(m.preferences),
                Escaped(shell.t(Msg::ManagePreferences))
            ));
        }
        None => {
            main.push_str(&standing::render(shell, m.list, m.state, m.now));
            main.push_str(&format!(
                "<form method=\"post\" action=\"{}\">{}<button type=\"submit\" class=\"primary\">{}</button></form><p>{}</p>",
                Escaped(m.action),
                hidden("action", "unsubscribe_all"),
                Escaped(&shell.with_sender(Msg::UnsubscribeAll)),
                Escaped(shell.t(Msg::UnsubscribeLead)),
            ));
            if let Some(topic) = m.topic {
                let name = standing::topic_name(shell, m.list, topic);
                main.push_str(&format!(
                    "<form method=\"post\" action=\"{}\">{}<button type=\"submit\">{}</button></form>",
                    Escaped(m.action),
                    hidden("action", "unsubscribe_topic"),
                    Escaped(&t(Msg::UnsubscribeTopicOnly, l, &[("topic", &name)])),
                ));
            }
            main.push_str(&format!("<h2>{}</h2>", Escaped(shell.t(Msg::OrChoose))));
            main.push_str(&preferences::choices(shell, m.list, m.state, m.preferences));
        }
    }
    shell.page(shell.t(Msg::UnsubscribeTitle), &main)
}

#[cfg(test)]
mod tests {
    use super::*;
    use doi_core::{Config, Locale};

    #[test]
    fn configured_text_is_escaped_on_the_page() {
        let mut config: Config = crate::testing::config().clone();
        config.sender.name.en = "<script>alert('x')</script> & Co".into();
        let list = ListId::parse("newsletter").unwrap();
        let state = SubscriberState::default();
        let html = render(&Model {
            shell: Shell {
                config: &config,
                locale: Locale::En,
            },
            list: &list,
            topic: None,
            state: &state,
            now: Timestamp(0),
            action: "/u/t?lang=en\"><x",
            preferences: "/p/t?lang=en",
            done: None,
        });
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
        assert!(html.contains("action=\"/u/t?lang=en&quot;&gt;&lt;x\""));
    }

    #[test]
    fn a_topic_link_offers_stopping_only_that_topic_below_stop_all() {
        let config = crate::testing::config();
        let list = ListId::parse("newsletter").unwrap();
        let topic = TopicId::parse("tips").unwrap();
        let state = SubscriberState::default();
        let html = render(&Model {
            shell: Shell {
                config,
                locale: Locale::En,
            },
            list: &list,
            topic: Some(&topic),
            state: &state,
            now: Timestamp(0),
            action: "/u/t",
            preferences: "/p/t",
            done: None,
        });
        let all = html.find("value=\"unsubscribe_all\"").unwrap();
        let only = html.find("Stop only “Practical tips”").unwrap();
        assert!(all < only);
    }
}
