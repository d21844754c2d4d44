//! The order a log is folded in: one event per id, parents before
//! children, ties by time, id and hash, so that duplicates and the order
//! events were listed in change nothing.

use crate::prelude::*;

use alloc::collections::{BTreeMap, BTreeSet, BinaryHeap};
use core::cmp::Reverse;

use crate::event::EventId;
use crate::hash::EventHash;
use crate::ledger::LoggedEvent;

/// One event per id (the earliest, then smallest hash), in causal order:
/// parents before children, ties by (time, id, hash).
pub(super) fn causal_order(log: &[LoggedEvent]) -> Vec<&LoggedEvent> {
    let mut by_id: BTreeMap<&EventId, &LoggedEvent> = BTreeMap::new();
    for e in log {
        by_id
            .entry(&e.event.id)
            .and_modify(|k| {
                if (e.event.at, e.hash) < (k.event.at, k.hash) {
                    *k = e;
                }
            })
            .or_insert(e);
    }
    let chosen: BTreeMap<EventHash, &LoggedEvent> = by_id.values().map(|e| (e.hash, *e)).collect();
    let mut waiting: BTreeMap<EventHash, usize> = BTreeMap::new();
    let mut children: BTreeMap<EventHash, Vec<EventHash>> = BTreeMap::new();
    for (h, e) in &chosen {
        let parents: BTreeSet<&EventHash> = e
            .event
            .parents
            .iter()
            .filter(|p| chosen.contains_key(*p))
            .collect();
        waiting.insert(*h, parents.len());
        for p in parents {
            children.entry(*p).or_default().push(*h);
        }
    }
    let key = |h: &EventHash| {
        let e = chosen[h];
        Reverse((e.event.at, &e.event.id, *h))
    };
    let mut ready: BinaryHeap<_> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(h, _)| key(h))
        .collect();
    let mut out = Vec::with_capacity(chosen.len());
    while let Some(Reverse((_, _, h))) = ready.pop() {
        out.push(chosen[&h]);
        for c in children.get(&h).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(n) = waiting.get_mut(c) {
                *n -= 1;
                if *n == 0 {
                    ready.push(key(c));
                }
            }
        }
    }
    out
}
