//! A subscriber's log in KV: reading it, appending an event, and keeping the
//! derived snapshot.
//!
//! The truth is the events: each is written once, to its own key
//! (`ev/{sid}/{event}`), before anything reports it as done. The snapshot
//! (`snap/{sid}`) holds the address, the folded state (with its heads), the
//! ids of the events folded in the last few minutes and a digest of every id
//! folded — never copies of the events, so its size does not grow with the
//! log. A change is applied to the snapshot's state without reading the log
//! ([`doi_core::SubscriberState::extend`]); a reader that needs the whole
//! truth (a grant, the repair) lists `ev/{sid}/` and refolds only when the
//! listing names an event the digest does not cover.
//!
//! Every change first writes a repair mark (see [`crate::repair`]): KV is
//! eventually consistent, so a writer elsewhere that read a stale snapshot
//! may write it back without this change; the mark makes the repair refold
//! this subscriber from the events once KV has settled.
//!
//! The address a signup brings is also put in its event's KV metadata
//! (`{"a": address}`: a value, never a key, outside the hashed bytes), so it
//! is as durable as the consent even if every snapshot write fails.

use doi_core::time::SECOND;
use doi_core::{Email, EventId, SubscriberId, SubscriberState, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

mod erase;
mod read;
mod write;

pub use erase::{erase, rebuild};
pub use read::{
    before_change, events_stored, from_snapshot, load, read_log, read_snapshot, read_snapshots,
    read_whole, since_erasure, stored_log,
};
pub use write::append;

/// How long an event's id stays in the snapshot's `recent` list: far longer
/// than KV takes to show a new key in a listing (about 60 s).
pub const RECENT_MS: u64 = 300 * SECOND;

/// An event folded in the last [`RECENT_MS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recent {
    /// Its id.
    pub id: EventId,
    /// Its time.
    pub at: Timestamp,
}

/// What `snap/{sid}` holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// The normalised address, until erasure.
    #[serde(default)]
    pub email: Option<Email>,
    /// The folded state (with the heads a new event names as parents).
    #[serde(default)]
    pub state: SubscriberState,
    /// Events folded recently, which a listing may not show yet.
    #[serde(default)]
    pub recent: Vec<Recent>,
    /// XOR of a hash of every event id folded (hex): tells whether a
    /// listing names exactly the events the state covers.
    #[serde(default)]
    pub digest: String,
}

impl Snapshot {
    /// Reads a stored snapshot; an unreadable one counts as absent (the
    /// events are the truth and the repair rewrites it).
    pub fn parse(text: &str) -> Option<Snapshot> {
        serde_json::from_str(text).ok()
    }

    /// Only the state of a stored snapshot: what a decision needs. The
    /// address (an [`Email`] is re-checked as it is read), the recent ids
    /// and the digest are skipped unparsed — on `/v1/check` they were half
    /// the CPU of an address.
    pub fn state_of(text: &str) -> Option<SubscriberState> {
        #[derive(Deserialize)]
        struct StateOnly {
            #[serde(default)]
            state: SubscriberState,
        }
        serde_json::from_str::<StateOnly>(text)
            .ok()
            .map(|s| s.state)
    }

    /// The metadata stored beside it: the number of events folded and,
    /// under [`SUMMARY`], the state's summary for the console's overview
    /// ([`doi_core::console::summary`], bounded to fit KV's 1,024 bytes;
    /// left out when it cannot fit, and the overview reads the snapshot).
    pub fn metadata(&self) -> serde_json::Value {
        match doi_core::console::summary::bounded(&self.state) {
            Some(s) => serde_json::json!({ "n": self.state.events, SUMMARY: s }),
            None => serde_json::json!({ "n": self.state.events }),
        }
    }
}

/// A subscriber as read before a change.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// Whose.
    pub sid: SubscriberId,
    /// The address, if known.
    pub email: Option<Email>,
    /// The folded state.
    pub state: SubscriberState,
    /// Events folded recently.
    pub recent: Vec<Recent>,
    /// Digest of every event id folded.
    pub digest: u64,
}

impl Subscriber {
    /// Whether any event was ever recorded.
    pub fn exists(&self) -> bool {
        self.state.events > 0
    }

    fn from_snapshot(sid: SubscriberId, snapshot: Snapshot) -> Subscriber {
        Subscriber {
            sid,
            email: snapshot.email,
            state: snapshot.state,
            recent: snapshot.recent,
            digest: u64::from_str_radix(&snapshot.digest, 16).unwrap_or(0),
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            email: if self.state.erased {
                None
            } else {
                self.email.clone()
            },
            state: self.state.clone(),
            recent: self.recent.clone(),
            digest: format!("{:016x}", self.digest),
        }
    }
}

/// What to do with the stored address when appending.
#[derive(Debug, Clone)]
pub enum Address {
    /// Keep what the snapshot has.
    Keep,
    /// Store this one (a signup brings it).
    Set(Email),
}

/// The metadata field of a snapshot key that holds the state's summary.
pub const SUMMARY: &str = "s";

/// The metadata field of an event key that holds the signup's address.
const ADDRESS: &str = "a";

/// The part of the digest one event id contributes.
fn id_digest(id: &EventId) -> u64 {
    let h = Sha256::digest(id.as_str().as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[..8]);
    u64::from_le_bytes(b)
}
