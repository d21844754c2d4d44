//! What a choice on the preference page means, as an event.
//!
//! Keeping no topic at all of a list that has topics is not "receive the
//! list without topics": it is leaving the list, and is recorded as an
//! unsubscribe so that `may_send` refuses list-wide mail too.

use crate::prelude::*;

use thiserror::Error;

use crate::config::List;
use crate::event::{EventKind, UnsubscribeScope, Via};
use crate::fold::SubscriberState;
use crate::slug::{FrequencyId, TopicId};
use crate::time::Timestamp;

/// A choice the list does not offer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PreferencesError {
    /// A topic the list does not have.
    #[error("the list has no topic {0:?}")]
    UnknownTopic(String),
    /// A frequency the list does not offer.
    #[error("the list does not offer the frequency {0:?}")]
    UnknownFrequency(String),
    /// A topic the person stopped: only a resubscribe brings it back.
    #[error("the topic {0:?} was stopped; resubscribe to receive it again")]
    StoppedTopic(String),
}

/// The event recording that the person now wants `topics` of `list` at
/// `frequency`, paused until `paused_until`.
pub fn preferences_event(
    list: &List,
    state: &SubscriberState,
    topics: &[TopicId],
    frequency: Option<&FrequencyId>,
    paused_until: Option<Timestamp>,
) -> Result<EventKind, PreferencesError> {
    if let Some(t) = topics.iter().find(|t| list.topic(t).is_none()) {
        return Err(PreferencesError::UnknownTopic(t.to_string()));
    }
    if let Some(f) = frequency.filter(|f| list.frequency(f).is_none()) {
        return Err(PreferencesError::UnknownFrequency(f.to_string()));
    }
    if let Some(t) = topics.iter().find(|t| state.topic_stopped(&list.id, t)) {
        return Err(PreferencesError::StoppedTopic(t.to_string()));
    }
    if !list.topics.is_empty() && topics.is_empty() {
        return Ok(EventKind::Unsubscribed {
            scope: UnsubscribeScope::List {
                list: list.id.clone(),
            },
            via: Via::Page,
            reason: None,
        });
    }
    let mut topics = topics.to_vec();
    topics.sort();
    topics.dedup();
    Ok(EventKind::PreferencesChanged {
        list: list.id.clone(),
        topics,
        frequency: frequency.cloned(),
        paused_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn list() -> List {
        Config::from_toml(include_str!("../../../doi.toml"))
            .unwrap()
            .lists
            .remove(0)
    }

    fn topic(s: &str) -> TopicId {
        TopicId::parse(s).unwrap()
    }

    #[test]
    fn keeping_some_topics_records_the_new_choice() {
        let weekly = FrequencyId::parse("monthly").unwrap();
        let e = preferences_event(
            &list(),
            &SubscriberState::default(),
            &[topic("tips"), topic("events"), topic("tips")],
            Some(&weekly),
            None,
        )
        .unwrap();
        match e {
            EventKind::PreferencesChanged {
                topics, frequency, ..
            } => {
                assert_eq!(topics, vec![topic("events"), topic("tips")]);
                assert_eq!(frequency, Some(weekly));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keeping_no_topic_is_leaving_the_list() {
        let e = preferences_event(&list(), &SubscriberState::default(), &[], None, None).unwrap();
        assert!(e.is_withdrawal(), "{e:?}");
    }

    #[test]
    fn choices_the_list_does_not_offer_are_refused() {
        assert_eq!(
            preferences_event(
                &list(),
                &SubscriberState::default(),
                &[topic("nope")],
                None,
                None
            ),
            Err(PreferencesError::UnknownTopic("nope".into()))
        );
        let daily = FrequencyId::parse("daily").unwrap();
        assert_eq!(
            preferences_event(
                &list(),
                &SubscriberState::default(),
                &[topic("tips")],
                Some(&daily),
                None
            ),
            Err(PreferencesError::UnknownFrequency("daily".into()))
        );
    }
}
