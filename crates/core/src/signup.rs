//! What a checked signup means, as an event, given what is already known.
//!
//! - Someone new: [`EventKind::Subscribed`], with the list's default
//!   frequency, pending when the form uses double opt-in.
//! - Someone already there with nothing new chosen: no event at all (so a
//!   repeated identical signup cannot grow their log) and the same answer.
//! - Someone already there choosing more topics: `Subscribed` (it adds them).
//! - Someone a withdrawal stops for the list or for a chosen topic: fresh
//!   consent is an [`EventKind::Resubscribed`] for that scope. Anyone can type
//!   anyone's address into a form, so where the sender can send a
//!   confirmation mail, a returning signup always waits for the mailbox
//!   owner to confirm, even on a single opt-in form: a stranger cannot undo
//!   somebody's "no".

use alloc::boxed::Box;

use crate::config::{Config, Form};
use crate::event::{EventKind, Evidence};
use crate::fold::{Status, SubscriberState};
use crate::slug::TopicId;

/// What to record for a signup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupEffect {
    /// Store this event.
    Record(Box<EventKind>),
    /// Nothing new: store nothing (and answer as if stored).
    NoChange,
}

/// The event a checked signup for `form` with `topics` becomes, given the
/// subscriber's `state`.
pub fn signup_event(
    state: &SubscriberState,
    config: &Config,
    form: &Form,
    topics: &[TopicId],
    evidence: &Evidence,
) -> SignupEffect {
    let list = &form.list;
    let frequency = config.list(list).map(|l| l.default_frequency.clone());
    let returning =
        state.list_stopped(list).is_some() || topics.iter().any(|t| state.topic_stopped(list, t));
    if returning {
        return SignupEffect::Record(Box::new(EventKind::Resubscribed {
            list: list.clone(),
            topics: topics.to_vec(),
            frequency,
            double_opt_in: form.double_opt_in || config.confirmation.is_some(),
            evidence: evidence.clone(),
        }));
    }
    if let Some(entry) = state.list(list) {
        let nothing_new = topics.iter().all(|t| entry.topics.contains(t));
        if nothing_new && matches!(entry.status, Status::Active | Status::Pending) {
            return SignupEffect::NoChange;
        }
    }
    SignupEffect::Record(Box::new(EventKind::Subscribed {
        list: list.clone(),
        topics: topics.to_vec(),
        frequency,
        double_opt_in: form.double_opt_in,
        evidence: evidence.clone(),
    }))
}
