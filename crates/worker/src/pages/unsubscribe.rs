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
