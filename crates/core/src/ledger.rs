//! The hash-chained log: sealing events to bytes, and verifying a log.
//!
//! An event is stored as the exact bytes [`seal`] produced; its hash is
//! SHA-256 of those bytes. Each event lists its parents' hashes, so changing
//! any byte of any event either breaks a child's link to it or, for the newest
//! events, no longer matches the heads the subscriber's snapshot recorded (the
//! anchors). KV has no atomic append: two writers may extend the same heads at
//! once, which forks the log. A fork is fine: both events are kept, and the
//! next writer names both heads as parents, joining it again.

use crate::prelude::*;

use alloc::collections::BTreeSet;
use thiserror::Error;

use crate::event::Event;
use crate::hash::EventHash;
use crate::id::SubscriberId;

/// An event with the hash of its stored bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    /// SHA-256 of the stored bytes.
    pub hash: EventHash,
    /// The event.
    pub event: Event,
}

/// Why a log does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainError {
    /// Stored bytes are not an event.
    #[error("entry {index} is not a valid event: {problem}")]
    Unreadable {
        /// Position in the input.
        index: usize,
        /// The parser's complaint.
        problem: String,
    },
    /// An event belongs to another subscriber's log.
    #[error("entry {index} belongs to another subscriber")]
    WrongSubscriber {
        /// Position in the input.
        index: usize,
    },
    /// An event names a parent that is not in the log (altered or missing).
    #[error("event {event} names parent {parent}, which is not in the log")]
    MissingParent {
        /// The child.
        event: EventHash,
        /// The parent it names.
        parent: EventHash,
    },
    /// A recorded head is not in the log (altered or missing).
    #[error("recorded head {0} is not in the log")]
    MissingAnchor(EventHash),
}

/// The bytes to store for `event`, and their hash. Serialising our own
/// plain structs does not fail; if it ever did, the caller must store
/// nothing rather than empty bytes under a hash of nothing.
pub fn seal(event: &Event) -> Result<(EventHash, Vec<u8>), serde_json::Error> {
    let bytes = serde_json::to_vec(event)?;
    Ok((EventHash::of(&bytes), bytes))
}

/// Reads stored bytes back into an event with its hash.
pub fn open(bytes: &[u8]) -> Result<LoggedEvent, serde_json::Error> {
    Ok(LoggedEvent {
        hash: EventHash::of(bytes),
        event: serde_json::from_slice(bytes)?,
    })
}

/// The events nobody names as a parent: what a new event's parents should be.
/// Sorted, without duplicates.
pub fn heads(log: &[LoggedEvent]) -> Vec<EventHash> {
    let named: BTreeSet<&EventHash> = log.iter().flat_map(|e| &e.event.parents).collect();
    let heads: BTreeSet<EventHash> = log
        .iter()
        .map(|e| e.hash)
        .filter(|h| !named.contains(h))
        .collect();
    heads.into_iter().collect()
}

/// Verifies a subscriber's stored log: every entry parses and belongs to
/// `subscriber`, every parent link resolves, and every anchor (the heads a
/// snapshot recorded) is present. Returns the events.
pub fn verify(
    subscriber: SubscriberId,
    entries: &[Vec<u8>],
    anchors: &[EventHash],
) -> Result<Vec<LoggedEvent>, ChainError> {
    let mut log = Vec::with_capacity(entries.len());
    for (index, bytes) in entries.iter().enumerate() {
        let e = open(bytes).map_err(|e| ChainError::Unreadable {
            index,
            problem: e.to_string(),
        })?;
        if e.event.subscriber != subscriber {
            return Err(ChainError::WrongSubscriber { index });
        }
        log.push(e);
    }
    let present: BTreeSet<EventHash> = log.iter().map(|e| e.hash).collect();
    for e in &log {
        for p in &e.event.parents {
            if !present.contains(p) {
                return Err(ChainError::MissingParent {
                    event: e.hash,
                    parent: *p,
                });
            }
        }
    }
    for a in anchors {
        if !present.contains(a) {
            return Err(ChainError::MissingAnchor(*a));
        }
    }
    Ok(log)
}
