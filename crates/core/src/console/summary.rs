//! A subscriber in a few hundred bytes: what the console's overview counts,
//! folded from their state and kept in the metadata of their snapshot's KV
//! key, so that a listing of `snap/` brings every subscriber's summary
//! without reading one value.
//!
//! Every standing is read from [`may_send`] itself (with a time after every
//! pause, so a pause is kept as a time and decided when counted): the
//! overview can never count someone as active whom `/v1/check` refuses for
//! a withdrawal, or the other way round. KV allows 1,024 bytes of metadata
//! per key: [`bounded`] drops the latest events first and gives up (no
//! summary: the rollup then reads the snapshot) rather than exceed
//! [`MAX_BYTES`]. The summary travels as JSON text inside the metadata
//! (one string), so the Worker parses it straight from text and needs no
//! second, `serde_json::Value`-shaped, copy of its (de)serialiser.

use crate::prelude::*;

use alloc::collections::BTreeMap;
use serde::{Deserialize, Serialize};

use crate::decision::{may_send, Reason, SendRequest};
use crate::event::{Method, Via};
use crate::fold::activity::Activity;
use crate::fold::SubscriberState;
use crate::slug::{FrequencyId, ListId, TopicId};
use crate::time::{Timestamp, DAY, HOUR};

/// Most bytes a serialised summary takes: KV allows 1,024 bytes of
/// metadata per key, and the snapshot's also carries its event count.
pub const MAX_BYTES: usize = 960;

/// Where someone stands on a list, as the overview counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    /// Consented (a pause is decided at count time from `paused_until`).
    #[serde(rename = "a")]
    Active,
    /// Double opt-in not confirmed yet.
    #[serde(rename = "p")]
    Pending,
    /// They withdrew (one-click, page, mailto, not_me, API) at a scope that
    /// stops the list.
    #[serde(rename = "u")]
    Unsubscribed,
    /// The sender suppressed them (bounce, complaint, by hand).
    #[serde(rename = "s")]
    Suppressed,
    /// Their data was erased.
    #[serde(rename = "e")]
    Erased,
}

impl Standing {
    /// The standing a `/v1/check` answer for the whole list (no topic, no
    /// frequency) means; `None` when it says they are not on the list.
    pub fn of(reason: &Reason) -> Option<Standing> {
        Some(match reason {
            Reason::Erased => Standing::Erased,
            Reason::Unsubscribed { via, .. } if is_suppression(*via) => Standing::Suppressed,
            Reason::Unsubscribed { .. } => Standing::Unsubscribed,
            Reason::PendingConfirmation => Standing::Pending,
            Reason::NoConsent => return None,
            _ => Standing::Active,
        })
    }
}

/// Whether a withdrawal through `via` is the sender's suppression rather
/// than the person's own unsubscribe.
pub fn is_suppression(via: Via) -> bool {
    matches!(via, Via::Bounce | Via::Complaint | Via::Manual)
}

/// One list of a subscriber's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSummary {
    /// Where they stand.
    #[serde(rename = "s")]
    pub standing: Standing,
    /// How they left, when they did.
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
    /// The topics a mail may go out about (active only).
    #[serde(rename = "t", default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<TopicId>,
    /// The frequency a mail may go out at (active only).
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<FrequencyId>,
    /// No mail until then (active only).
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<Timestamp>,
    /// The JST day ([`day`]) of the consent their state rests on.
    #[serde(rename = "j", default, skip_serializing_if = "Option::is_none")]
    pub joined: Option<u32>,
    /// Through what that consent came: the form's id, else the method.
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The JST day they left, when they did.
    #[serde(rename = "x", default, skip_serializing_if = "Option::is_none")]
    pub left: Option<u32>,
    /// When the consent in force was last given, renewed or confirmed
    /// (active only): against the list's `consent_max_age_days` it is
    /// decided at count time, like a pause, whether it is stale.
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub fresh_since: Option<Timestamp>,
}

/// A subscriber as the overview counts them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Per list they ever joined or left.
    #[serde(rename = "l", default)]
    pub lists: BTreeMap<ListId, ListSummary>,
    /// How they withdrew from everything, if they did (also without a list).
    #[serde(rename = "w", default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Via>,
    /// Erased.
    #[serde(rename = "e", default, skip_serializing_if = "core::ops::Not::not")]
    pub erased: bool,
    /// The reason they gave for leaving.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Their latest events (oldest first).
    #[serde(rename = "a", default, skip_serializing_if = "Vec::is_empty")]
    pub activity: Vec<Activity>,
}

/// The day of `t` in Japan (UTC+9), as days since 1970-01-01 JST.
pub fn day(t: Timestamp) -> u32 {
    u32::try_from(t.millis().saturating_add(9 * HOUR) / DAY).unwrap_or(u32::MAX)
}

/// A moment after every pause: [`may_send`] at it answers for standing,
/// not for today.
const AFTER_EVERY_PAUSE: Timestamp = Timestamp(u64::MAX);

/// The method's name, for a consent given without a form.
pub fn method_name(m: &Method) -> &'static str {
    match m {
        Method::Widget => "widget",
        Method::WidgetAttach => "widget_attach",
        Method::HostedPage => "hosted_page",
        Method::PreferencePage => "preference_page",
        Method::RenewalPage => "renewal_page",
        Method::Import => "import",
        Method::Api => "api",
    }
}

/// Folds `state` into its summary.
pub fn summarise(state: &SubscriberState) -> Summary {
    let mut lists = BTreeMap::new();
    for (id, l) in &state.lists {
        let ask = |topic: Option<&TopicId>, frequency: Option<&FrequencyId>| {
            let req = SendRequest {
                list: id.clone(),
                topic: topic.cloned(),
                frequency: frequency.cloned(),
            };
            may_send(state, &req, AFTER_EVERY_PAUSE)
        };
        let whole = ask(None, None);
        let Some(standing) = Standing::of(&whole.reason) else {
            continue;
        };
        let active = standing == Standing::Active;
        let via = match whole.reason {
            Reason::Unsubscribed { via, .. } => Some(via),
            Reason::Erased => Some(Via::Erasure),
            _ => None,
        };
        let left_at = match whole.reason {
            Reason::Unsubscribed { at, .. } => Some(at),
            _ => l.exit.as_ref().map(|x| x.at),
        };
        let consent = l.consent.as_ref();
        lists.insert(
            id.clone(),
            ListSummary {
                standing,
                via,
                topics: l
                    .topics
                    .iter()
                    .filter(|t| active && ask(Some(t), None).allowed)
                    .cloned()
                    .collect(),
                frequency: l
                    .frequency
                    .as_ref()
                    .filter(|f| active && ask(None, Some(f)).allowed)
                    .cloned(),
                paused_until: l.paused_until.filter(|_| active),
                fresh_since: l.consent_since().filter(|_| active),
                joined: consent.map(|c| day(c.at)),
                source: consent.map(|c| {
                    c.form
                        .as_ref()
                        .map_or_else(|| method_name(&c.method).to_string(), |f| f.to_string())
                }),
                left: if active || standing == Standing::Pending {
                    None
                } else {
                    left_at.map(day)
                },
            },
        );
    }
    Summary {
        lists,
        withdrawn: state.suppressed.as_ref().map(|x| x.via),
        erased: state.erased,
        reason: state.reason.clone(),
        activity: state.activity.clone(),
    }
}

/// The summary of `state` as the JSON text KV metadata carries (as a
/// string: read back with `serde_json::from_str`), within [`MAX_BYTES`]
/// once escaped into the metadata: the latest events are dropped (oldest
/// first) until it fits; `None` when it does not fit even without them
/// (the rollup then reads the snapshot itself).
pub fn bounded(state: &SubscriberState) -> Option<String> {
    let mut summary = summarise(state);
    loop {
        let text = serde_json::to_string(&summary).ok()?;
        if escaped_len(&text) <= MAX_BYTES {
            return Some(text);
        }
        if summary.activity.is_empty() {
            return None;
        }
        summary.activity.remove(0);
    }
}

/// The length of `text` as a JSON string's content: a quote or a backslash
/// takes two bytes, a control character six (none of ours has one).
fn escaped_len(text: &str) -> usize {
    text.bytes()
        .map(|b| match b {
            b'"' | b'\\' => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests;
