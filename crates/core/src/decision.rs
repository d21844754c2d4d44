//! `may_send`: the one question a sender asks before every mail.

use serde::{Deserialize, Serialize};

use crate::event::{UnsubscribeScope, Via};
use crate::fold::{ConsentRef, Status, SubscriberState, Withdrawal};
use crate::slug::{FrequencyId, ListId, TopicId};
use crate::time::Timestamp;

/// What the sender is about to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendRequest {
    /// To which list.
    pub list: ListId,
    /// About which topic (none: a mail for the whole list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<TopicId>,
    /// At which frequency this mail goes out (e.g. the weekly issue). When
    /// given, subscribers who chose another frequency are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<FrequencyId>,
}

/// Why a mail may or may not be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// They consented and nothing stands in the way.
    Consented,
    /// No consent for this list was ever recorded.
    NoConsent,
    /// Double opt-in not confirmed yet.
    PendingConfirmation,
    /// They unsubscribed.
    Unsubscribed {
        /// Through what.
        via: Via,
        /// When.
        at: Timestamp,
    },
    /// They do not receive this topic.
    TopicNotChosen,
    /// They paused mail.
    Paused {
        /// Until when.
        until: Timestamp,
    },
    /// They chose another frequency.
    OtherFrequency {
        /// The one they chose.
        chosen: FrequencyId,
    },
    /// The mail has a frequency and they have none on record.
    NoFrequencyChosen,
    /// Their data was erased; the address stays suppressed.
    Erased,
    /// The list's `consent_max_age_days` has passed since they last gave,
    /// renewed or confirmed consent: ask again with the re-permission link.
    ConsentStale {
        /// When consent was last given, renewed or confirmed.
        since: Timestamp,
        /// When it went stale.
        stale_at: Timestamp,
    },
}

/// The answer to "may I send?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Send or not.
    pub allowed: bool,
    /// Why.
    pub reason: Reason,
    /// The consent the answer rests on, when allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentRef>,
}

impl Decision {
    fn no(reason: Reason) -> Decision {
        Decision {
            allowed: false,
            reason,
            consent: None,
        }
    }
}

/// Whether a withdrawal at `scope` covers `req`: the one definition of
/// "falls inside its scope" that every decision uses.
pub fn covers(w: &Withdrawal, req: &SendRequest) -> bool {
    match &w.scope {
        UnsubscribeScope::All => !w.except.contains(&req.list),
        UnsubscribeScope::List { list } => *list == req.list,
        UnsubscribeScope::Topic { list, topic } => {
            *list == req.list && req.topic.as_ref() == Some(topic)
        }
        UnsubscribeScope::Frequency { list, frequency } => {
            *list == req.list && req.frequency.as_ref() == Some(frequency)
        }
    }
}

/// Decides whether `req` may go to the subscriber in `state` at `now`.
/// Without consent the answer is always no; a withdrawal in force whose
/// scope covers the request is always no. Consent never ages here (see
/// [`may_send_within`]).
pub fn may_send(state: &SubscriberState, req: &SendRequest, now: Timestamp) -> Decision {
    may_send_within(state, req, now, None)
}

/// [`may_send`] for a list whose consent is fresh for `max_age` ms (its
/// `consent_max_age_days`): a consent given, renewed or confirmed longer
/// ago than that is no longer a yes ([`Reason::ConsentStale`]). Every
/// other "no" (erasure, withdrawal, pending, topic, pause, frequency) is
/// answered first: staleness only ever turns a yes into a no, and never
/// hides that the person said no.
pub fn may_send_within(
    state: &SubscriberState,
    req: &SendRequest,
    now: Timestamp,
    max_age: Option<u64>,
) -> Decision {
    if state.erased {
        return Decision::no(Reason::Erased);
    }
    if let Some(w) = state
        .withdrawals
        .iter()
        .filter(|w| covers(w, req))
        .min_by_key(|w| w.at)
    {
        return Decision::no(Reason::Unsubscribed {
            via: w.via,
            at: w.at,
        });
    }
    let Some(l) = state.list(&req.list) else {
        return Decision::no(Reason::NoConsent);
    };
    match l.status {
        Status::Unsubscribed => {
            let (via, at) = l
                .exit
                .as_ref()
                .map_or((Via::Api, Timestamp(0)), |x| (x.via, x.at));
            return Decision::no(Reason::Unsubscribed { via, at });
        }
        Status::Pending => return Decision::no(Reason::PendingConfirmation),
        Status::Active => {}
    }
    let Some(consent) = l.consent.clone() else {
        return Decision::no(Reason::NoConsent);
    };
    if let Some(t) = &req.topic {
        if !l.topics.contains(t) {
            return Decision::no(Reason::TopicNotChosen);
        }
    }
    if let Some(until) = l.paused_until {
        if now < until {
            return Decision::no(Reason::Paused { until });
        }
    }
    if let Some(wanted) = &req.frequency {
        match &l.frequency {
            Some(chosen) if chosen == wanted => {}
            Some(chosen) => {
                return Decision::no(Reason::OtherFrequency {
                    chosen: chosen.clone(),
                })
            }
            None => return Decision::no(Reason::NoFrequencyChosen),
        }
    }
    if let (Some(max), Some(since)) = (max_age, l.consent_since()) {
        let stale_at = since.plus(max);
        if now >= stale_at {
            return Decision::no(Reason::ConsentStale { since, stale_at });
        }
    }
    Decision {
        allowed: true,
        reason: Reason::Consented,
        consent: Some(consent),
    }
}

/// What a person receives from one list, as a hosted page tells them: read
/// from the same [`may_send`] a sender's `/v1/check` asks, so a page can
/// never say more (or less) than the sender is told. A pause is still
/// receiving (the page says until when).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receiving {
    /// No mail from this list.
    Nothing,
    /// Waiting for the double opt-in confirmation.
    Pending,
    /// The list (it has no topics).
    Whole,
    /// These topics of the list.
    Topics(alloc::vec::Vec<TopicId>),
}

/// What the subscriber in `state` receives from `list`, whose topics are
/// `topics`, at `now`.
pub fn receiving(
    state: &SubscriberState,
    list: &ListId,
    topics: &[TopicId],
    now: Timestamp,
) -> Receiving {
    let ask = |topic: Option<&TopicId>| {
        let d = may_send(
            state,
            &SendRequest {
                list: list.clone(),
                topic: topic.cloned(),
                frequency: None,
            },
            now,
        );
        (
            d.allowed || matches!(d.reason, Reason::Paused { .. }),
            d.reason,
        )
    };
    match ask(None) {
        (_, Reason::PendingConfirmation) => return Receiving::Pending,
        (false, _) => return Receiving::Nothing,
        (true, _) => {}
    }
    if topics.is_empty() {
        return Receiving::Whole;
    }
    let got: alloc::vec::Vec<TopicId> = topics.iter().filter(|t| ask(Some(t)).0).cloned().collect();
    if got.is_empty() {
        Receiving::Nothing
    } else {
        Receiving::Topics(got)
    }
}
