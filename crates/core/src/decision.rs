//! `may_send`: the one question a sender asks before every mail.

use serde::{Deserialize, Serialize};

use crate::event::Via;
use crate::fold::{ConsentRef, Status, SubscriberState};
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
    /// Their data was erased; the address stays suppressed.
    Erased,
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

/// Decides whether `req` may go to the subscriber in `state` at `now`.
/// Without consent the answer is always no.
pub fn may_send(state: &SubscriberState, req: &SendRequest, now: Timestamp) -> Decision {
    let Some(l) = state.list(&req.list) else {
        return Decision::no(if state.erased {
            Reason::Erased
        } else {
            Reason::NoConsent
        });
    };
    match l.status {
        Status::Unsubscribed if state.erased => return Decision::no(Reason::Erased),
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
    if let (Some(wanted), Some(chosen)) = (&req.frequency, &l.frequency) {
        if wanted != chosen {
            return Decision::no(Reason::OtherFrequency {
                chosen: chosen.clone(),
            });
        }
    }
    Decision {
        allowed: true,
        reason: Reason::Consented,
        consent: Some(consent),
    }
}
