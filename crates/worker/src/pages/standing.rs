//! "What is true now": the sentence every token page shows about the
//! subscriber's mail on one list, read from the folded state.

use doi_core::html::Escaped;
use doi_core::text::{t, Msg};
use doi_core::{ListId, Status, SubscriberState, Timestamp, TopicId};

use crate::pages::Shell;

/// A topic's name in the page's language (its id if `doi.toml` dropped it).
pub fn topic_name(shell: &Shell<'_>, list: &ListId, topic: &TopicId) -> String {
    shell
        .config
        .list(list)
        .and_then(|l| l.topic(topic))
        .map_or_else(
            || topic.to_string(),
            |t| t.name.get(shell.locale).to_string(),
        )
}

/// A list's name in the page's language (its id if `doi.toml` dropped it).
pub fn list_name(shell: &Shell<'_>, list: &ListId) -> String {
    shell.config.list(list).map_or_else(
        || list.to_string(),
        |l| l.name.get(shell.locale).to_string(),
    )
}

/// The sentences (HTML, escaped) saying what mail this person now gets.
pub fn render(shell: &Shell<'_>, list: &ListId, state: &SubscriberState, now: Timestamp) -> String {
    let l = shell.locale;
    let Some(entry) = state.list(list) else {
        return line(shell.t(Msg::NowReceivingNothing));
    };
    match entry.status {
        Status::Unsubscribed => line(shell.t(Msg::NowReceivingNothing)),
        Status::Pending => line(shell.t(Msg::PendingConfirmation)),
        Status::Active => {
            let has_topics = shell
                .config
                .list(list)
                .is_some_and(|c| !c.topics.is_empty());
            let what = if has_topics {
                let names: Vec<String> = entry
                    .topics
                    .iter()
                    .map(|t| topic_name(shell, list, t))
                    .collect();
                names.join(if l == doi_core::Locale::Ja {
                    "、"
                } else {
                    ", "
                })
            } else {
                list_name(shell, list)
            };
            let mut out = if what.is_empty() {
                line(shell.t(Msg::NowReceivingNothing))
            } else {
                line(&t(Msg::NowReceiving, l, &[("topics", &what)]))
            };
            if let Some(f) = &entry.frequency {
                let name = shell
                    .config
                    .list(list)
                    .and_then(|c| c.frequency(f))
                    .map_or_else(|| f.to_string(), |f| f.name.get(l).to_string());
                out.push_str(&line(&t(Msg::NowFrequency, l, &[("frequency", &name)])));
            }
            if let Some(until) = entry.paused_until.filter(|u| *u > now) {
                out.push_str(&line(&t(Msg::PausedUntil, l, &[("date", &until.date())])));
            }
            out
        }
    }
}

fn line(text: &str) -> String {
    format!("<p class=\"now\">{}</p>", Escaped(text))
}
