//! The console's overview: counts per list folded from subscribers'
//! [`Summary`]s, page by page, as the cron lists `snap/`. Nothing is ever
//! incremented by a writer: a pass recounts everyone from the summaries,
//! so a count can be late (it says "as of" the pass) but never drift.
//!
//! Bounded whatever is stored: only the lists, topics, frequencies, forms
//! and reasons the configuration knows are counted (anything else is only
//! in the total), per-day counts cover the last [`DAYS`] days, and the
//! activity keeps the latest [`ACTIVITY_KEPT`] events.

use crate::prelude::*;

use alloc::collections::BTreeMap;
use serde::{Deserialize, Serialize};

use super::summary::{day, method_name, Standing, Summary};
use crate::config::Config;
use crate::event::{Method, Via};
use crate::fold::activity::Activity;
use crate::id::SubscriberId;
use crate::slug::ListId;
use crate::time::{Timestamp, HOUR};

/// Days of sign-ups and unsubscribes kept (the chart shows 30 or 90).
pub const DAYS: usize = 90;

/// Every way of leaving, in the order the overview lists them.
pub const VIAS: [Via; 9] = [
    Via::OneClick,
    Via::Page,
    Via::Mailto,
    Via::NotMe,
    Via::Api,
    Via::Complaint,
    Via::Bounce,
    Via::Manual,
    Via::Erasure,
];

/// Events the activity keeps, newest first.
pub const ACTIVITY_KEPT: usize = 200;

/// Subscribers by standing (`paused` is active with a pause in force at the
/// pass's time; `active` excludes them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Sendable now.
    pub active: u64,
    /// Waiting for the double opt-in confirmation.
    pub pending: u64,
    /// Active, with mail paused.
    pub paused: u64,
    /// Active, but the consent is older than the list's
    /// `consent_max_age_days` (`/v1/check` answers `consent_stale`).
    #[serde(default)]
    pub stale: u64,
    /// Withdrew at a scope that stops the list.
    pub unsubscribed: u64,
    /// Suppressed by the sender (bounce, complaint, by hand).
    pub suppressed: u64,
    /// Erased.
    pub erased: u64,
}

/// One list's numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCounts {
    /// By standing.
    pub standing: Counts,
    /// Active subscribers a mail about each topic may go to.
    pub topics: BTreeMap<String, u64>,
    /// Active subscribers a mail at each frequency may go to.
    pub frequencies: BTreeMap<String, u64>,
    /// Sign-ups (the day of the consent each subscriber's state rests on)
    /// per JST day, oldest first; the last is the pass's day.
    pub joined: Vec<u64>,
    /// Exits per JST day, as `joined`.
    pub left: Vec<u64>,
    /// Exits by how they came (`one_click`, `page`, …).
    pub via: BTreeMap<String, u64>,
    /// Reasons given by those who left.
    pub reasons: BTreeMap<String, u64>,
    /// Subscribers by the form (or method) of their consent.
    pub sources: BTreeMap<String, u64>,
    /// The list's `consent_max_age_days`, in ms (none: consent never ages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u64>,
}

/// One event of the activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Whose (never the address).
    pub subscriber: SubscriberId,
    /// What.
    pub activity: Activity,
}

/// The overview's numbers, whole or part-way through a pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollup {
    /// When the pass began: what the numbers are "as of".
    pub started: Timestamp,
    /// When it ended (`None` while it runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<Timestamp>,
    /// Subscribers counted.
    pub subscribers: u64,
    /// Subscribers whose summary could not be read (counted nowhere else).
    pub unsummarised: u64,
    /// Withdrew from everything (on any list or none).
    pub withdrawn: u64,
    /// Erased.
    pub erased: u64,
    /// Per list of the configuration.
    pub lists: BTreeMap<ListId, ListCounts>,
    /// The latest events across subscribers, newest first.
    pub activity: Vec<Entry>,
}

/// `via`'s name as the API writes it.
pub fn via_name(via: Via) -> &'static str {
    match via {
        Via::OneClick => "one_click",
        Via::Page => "page",
        Via::Mailto => "mailto",
        Via::NotMe => "not_me",
        Via::Api => "api",
        Via::Complaint => "complaint",
        Via::Bounce => "bounce",
        Via::Manual => "manual",
        Via::Erasure => "erasure",
    }
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    }
}

impl Rollup {
    /// An empty rollup for a pass beginning at `started`, with a zero for
    /// everything `config` names.
    pub fn new(config: &Config, started: Timestamp) -> Rollup {
        let zeros = |names: Vec<String>| names.into_iter().map(|n| (n, 0)).collect();
        let methods = [
            Method::Import,
            Method::Api,
            Method::PreferencePage,
            Method::RenewalPage,
        ];
        let lists = config
            .lists
            .iter()
            .map(|l| {
                let forms = config.forms.iter().filter(|f| f.list == l.id);
                let mut sources: Vec<String> = forms.map(|f| f.id.to_string()).collect();
                sources.extend(methods.iter().map(|m| method_name(m).to_string()));
                let counts = ListCounts {
                    standing: Counts::default(),
                    topics: zeros(l.topics.iter().map(|t| t.id.to_string()).collect()),
                    frequencies: zeros(l.frequencies.iter().map(|f| f.id.to_string()).collect()),
                    joined: vec![0; DAYS],
                    left: vec![0; DAYS],
                    via: zeros(VIAS.iter().map(|v| via_name(*v).to_string()).collect()),
                    reasons: zeros(
                        crate::withdrawal::REASONS
                            .iter()
                            .map(|r| r.to_string())
                            .collect(),
                    ),
                    sources: zeros(sources),
                    max_age: config.consent_max_age(&l.id),
                };
                (l.id.clone(), counts)
            })
            .collect();
        Rollup {
            started,
            finished: None,
            subscribers: 0,
            unsummarised: 0,
            withdrawn: 0,
            erased: 0,
            lists,
            activity: Vec::new(),
        }
    }

    /// The index of `d` in the per-day arrays, if within the last [`DAYS`].
    fn slot(&self, d: u32) -> Option<usize> {
        let today = day(self.started);
        let back = today.checked_sub(d)? as usize;
        (back < DAYS).then(|| DAYS - 1 - back)
    }

    /// Counts one subscriber; `None` for one whose summary was unreadable.
    pub fn add(&mut self, sid: SubscriberId, summary: Option<&Summary>) {
        self.subscribers += 1;
        let Some(s) = summary else {
            self.unsummarised += 1;
            return;
        };
        self.withdrawn += u64::from(s.withdrawn.is_some());
        self.erased += u64::from(s.erased);
        for (list, l) in &s.lists {
            let joined = l.joined.and_then(|d| self.slot(d));
            let left = l.left.and_then(|d| self.slot(d));
            let started = self.started;
            let Some(c) = self.lists.get_mut(list) else {
                continue;
            };
            let paused = l.paused_until.is_some_and(|until| started < until);
            // As `may_send_within`: a pause is said before staleness.
            let stale = !paused
                && l.fresh_since
                    .zip(c.max_age)
                    .is_some_and(|(since, max)| started >= since.plus(max));
            let n = &mut c.standing;
            match l.standing {
                Standing::Active if paused => n.paused += 1,
                Standing::Active if stale => n.stale += 1,
                Standing::Active => n.active += 1,
                Standing::Pending => n.pending += 1,
                Standing::Unsubscribed => n.unsubscribed += 1,
                Standing::Suppressed => n.suppressed += 1,
                Standing::Erased => n.erased += 1,
            }
            if l.standing == Standing::Active && !paused && !stale {
                for t in &l.topics {
                    bump(&mut c.topics, t.as_str());
                }
                if let Some(f) = &l.frequency {
                    bump(&mut c.frequencies, f.as_str());
                }
            }
            if let Some(i) = joined {
                c.joined[i] += 1;
            }
            if let Some(i) = left {
                c.left[i] += 1;
            }
            if let Some(via) = l.via {
                bump(&mut c.via, via_name(via));
                if let Some(r) = &s.reason {
                    bump(&mut c.reasons, r);
                }
            }
            if let Some(src) = &l.source {
                bump(&mut c.sources, src);
            }
        }
        self.activity.extend(s.activity.iter().map(|a| Entry {
            subscriber: sid,
            activity: a.clone(),
        }));
        if self.activity.len() >= 2 * ACTIVITY_KEPT {
            self.trim();
        }
    }

    /// Keeps the latest [`ACTIVITY_KEPT`] events, newest first (ties by
    /// subscriber and kind, so the order never depends on the listing's).
    pub fn trim(&mut self) {
        self.activity.sort_by(|a, b| {
            (b.activity.at, a.subscriber, a.activity.kind).cmp(&(
                a.activity.at,
                b.subscriber,
                b.activity.kind,
            ))
        });
        self.activity.truncate(ACTIVITY_KEPT);
    }

    /// Ends the pass at `now`.
    pub fn finish(&mut self, now: Timestamp) {
        self.trim();
        self.finished = Some(now);
    }
}

/// How long after a finished pass the next begins: hourly while there are
/// few subscribers, then less often, so that a pass (one KV write per
/// 500 subscribers) stays about a tenth of the free plan's 1,000 writes a
/// day at most.
pub fn pass_interval(subscribers: u64) -> u64 {
    match subscribers {
        0..=2_000 => HOUR,
        2_001..=20_000 => 6 * HOUR,
        _ => 48 * HOUR,
    }
}
