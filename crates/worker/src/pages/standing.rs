//! "What is true now": the sentence every token page shows about the
//! subscriber's mail on one list, read from the folded state.

use doi_core::decision::{receiving, Receiving};
use doi_core::html::Escaped;
use doi_core::text::{t, Msg};
use doi_core::{ListId, SubscriberState, Timestamp, TopicId};

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

/// The sentences (HTML, escaped) saying what mail this person now gets:
/// core's [`receiving`], the same decision `/v1/check` gives the sender.
pub fn render(shell: &Shell<'_>, list: &ListId, state: &SubscriberState, now: Timestamp) -> String {
    let l = shell.locale;
    let config_list = shell.config.list(list);
    #[allow(
        clippy::disallowed_methods,
        reason = "a read: a list doi.toml no longer names has no topics to show"
    )]
    let topics: Vec<TopicId> = config_list
        .map(|c| c.topics.iter().map(|t| t.id.clone()).collect())
        .unwrap_or_default();
    let what = match receiving(state, list, &topics, now) {
        Receiving::Nothing => return line(shell.t(Msg::NowReceivingNothing)),
        Receiving::Pending => return line(shell.t(Msg::PendingConfirmation)),
        Receiving::Whole => list_name(shell, list),
        Receiving::Topics(got) => {
            let names: Vec<String> = got.iter().map(|t| topic_name(shell, list, t)).collect();
            names.join(if l == doi_core::Locale::Ja {
                "、"
            } else {
                ", "
            })
        }
    };
    let mut out = line(&t(Msg::NowReceiving, l, &[("topics", &what)]));
    if let Some(entry) = state.list(list) {
        if let Some(f) = &entry.frequency {
            let name = config_list
                .and_then(|c| c.frequency(f))
                .map_or_else(|| f.to_string(), |f| f.name.get(l).to_string());
            out.push_str(&line(&t(Msg::NowFrequency, l, &[("frequency", &name)])));
        }
        if let Some(until) = entry.paused_until.filter(|u| *u > now) {
            out.push_str(&line(&t(Msg::PausedUntil, l, &[("date", &until.date())])));
        }
    }
    out
}

fn line(text: &str) -> String {
    format!("<p class=\"now\">{}</p>", Escaped(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use doi_core::ledger::seal;
    use doi_core::{fold, Event, EventId, EventKind, Evidence, Locale, Method, SubscriberId};

    fn state(kinds: Vec<EventKind>) -> SubscriberState {
        let mut log = Vec::new();
        for (i, kind) in kinds.into_iter().enumerate() {
            let e = Event {
                id: EventId::from_random([i as u8; 16]),
                at: Timestamp(1_000 + i as u64),
                subscriber: SubscriberId([1; 16]),
                parents: doi_core::ledger::heads(&log),
                kind,
            };
            let (hash, _) = seal(&e).unwrap();
            log.push(doi_core::LoggedEvent { hash, event: e });
        }
        fold(&log)
    }

    fn signup(double_opt_in: bool) -> EventKind {
        EventKind::Subscribed {
            list: ListId::parse("newsletter").unwrap(),
            topics: vec![TopicId::parse("tips").unwrap()],
            frequency: None,
            double_opt_in,
            evidence: Evidence {
                method: Method::Widget,
                form: None,
                consent_version: doi_core::ConsentVersion([0; 32]),
                locale: Locale::En,
                page_url: None,
                client_time: None,
                user_agent: None,
                source: None,
                opt_in: None,
            },
        }
    }

    fn says(s: &SubscriberState) -> String {
        let shell = Shell {
            config: crate::testing::config(),
            locale: Locale::En,
        };
        render(
            &shell,
            &ListId::parse("newsletter").unwrap(),
            s,
            Timestamp(5_000),
        )
    }

    #[test]
    fn nobody_receives_nothing() {
        assert!(says(&SubscriberState::default()).contains("You currently receive no email."));
    }

    #[test]
    fn a_pending_signup_says_it_waits_for_confirmation() {
        assert!(says(&state(vec![signup(true)])).contains("waiting for confirmation"));
    }

    #[test]
    fn an_active_subscriber_sees_their_topics_by_name() {
        assert!(says(&state(vec![signup(false)])).contains("You now receive: Practical tips"));
    }

    #[test]
    fn a_pause_in_the_future_is_stated_with_its_date() {
        let pause = EventKind::PreferencesChanged {
            list: ListId::parse("newsletter").unwrap(),
            topics: vec![TopicId::parse("tips").unwrap()],
            frequency: None,
            paused_until: Some(Timestamp(86_400_000)),
        };
        assert!(
            says(&state(vec![signup(false), pause])).contains("Email is paused until 1970-01-02.")
        );
    }
}
