//! What a request to stop mail means, as an event: the scope and the `via`
//! of a one-click POST or an unsubscribe-page button, the reason a sender
//! reports a suppression for, and the optional reason a person gives
//! afterwards (only a reason: it stops nothing more).

use crate::prelude::*;

use crate::event::{EventKind, UnsubscribeScope, Via};
use crate::slug::{ListId, TopicId};

/// Which button of the unsubscribe page was pressed, or none (a mail
/// client's one-click POST).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAction {
    /// "Stop everything" (`action=unsubscribe_all`).
    All,
    /// "Stop this topic" (`action=unsubscribe_topic`).
    Topic,
}

impl PageAction {
    /// Reads the form's `action` field. Anything else, or nothing, is not a
    /// page button: RFC 8058 asks receivers of a one-click POST to be
    /// liberal, and some clients send no body at all.
    pub fn from_field(action: Option<&str>) -> Option<PageAction> {
        match action.map(str::trim) {
            Some("unsubscribe_all") => Some(PageAction::All),
            Some("unsubscribe_topic") => Some(PageAction::Topic),
            _ => None,
        }
    }
}

/// The link an unsubscribe request came through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The list the link is for.
    pub list: ListId,
    /// The topic, for a topic's link.
    pub topic: Option<TopicId>,
    /// Reached from a confirmation mail's "this wasn't me".
    pub not_me: bool,
}

/// The withdrawal a POST to an unsubscribe link records. A one-click (no
/// page button) stops what the link is for: its topic, or its list. "Stop
/// everything" stops every list (`via: not_me` from a "this wasn't me"
/// link); "stop this topic" on a link without a topic stops its list.
pub fn unsubscribe_event(link: &Link, action: Option<PageAction>) -> EventKind {
    let page_via = if link.not_me { Via::NotMe } else { Via::Page };
    let own = match &link.topic {
        Some(topic) => UnsubscribeScope::Topic {
            list: link.list.clone(),
            topic: topic.clone(),
        },
        None => UnsubscribeScope::List {
            list: link.list.clone(),
        },
    };
    let (scope, via) = match action {
        None => (own, Via::OneClick),
        Some(PageAction::All) => (UnsubscribeScope::All, page_via),
        Some(PageAction::Topic) => (own, page_via),
    };
    EventKind::Unsubscribed {
        scope,
        via,
        reason: None,
    }
}

/// The `via` of a suppression the sender reports (`/v1/suppressions`, the
/// console, a provider's webhook); `None` for an unknown reason.
pub fn suppression_via(reason: &str) -> Option<Via> {
    match reason.trim() {
        "bounce" => Some(Via::Bounce),
        "complaint" => Some(Via::Complaint),
        "manual" => Some(Via::Manual),
        "unsubscribe" => Some(Via::Api),
        _ => None,
    }
}

/// The reason codes a person may give after leaving (the page shows them).
pub const REASONS: [&str; 4] = ["too_many", "not_relevant", "never_signed_up", "other"];

/// The event recording a reason given after leaving: `None` unless it is
/// one of [`REASONS`]. It never withdraws anything by itself.
pub fn reason_event(reason: &str) -> Option<EventKind> {
    let reason = reason.trim();
    REASONS.contains(&reason).then(|| EventKind::ReasonGiven {
        reason: reason.to_string(),
    })
}
