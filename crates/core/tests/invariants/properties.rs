//! The rules as properties over arbitrary histories: no consent, no send;
//! a withdrawal of everything holds until a resubscribe; duplicates and
//! order change nothing; a changed byte breaks verification.

use super::*;

proptest! {
    #[test]
    fn no_consent_means_no_send(kinds in prop::collection::vec(any_kind(), 0..12)) {
        let kinds: Vec<EventKind> = kinds.into_iter().filter(|k| !grants(k)).collect();
        let log = build(&kinds);
        for t in [None, Some(0), Some(1)] {
            prop_assert!(!allowed(&log, t));
        }
    }

    #[test]
    fn after_unsubscribe_all_only_a_resubscribe_reenables(before in prop::collection::vec(any_kind(), 0..8), after in prop::collection::vec(any_kind(), 0..8)) {
        let mut kinds = before;
        kinds.push(unsub(UnsubscribeScope::All));
        let split = kinds.len();
        kinds.extend(after);
        let log = build(&kinds);
        let resubscribed_after = kinds[split..].iter().any(|k| matches!(k, EventKind::Resubscribed { .. }));
        if !resubscribed_after {
            for t in [None, Some(0), Some(1), Some(2)] {
                prop_assert!(!allowed(&log, t), "sendable after unsubscribe-all without a resubscribe: {:?}", kinds);
            }
        }
    }

    #[test]
    fn duplicates_and_order_change_nothing(kinds in prop::collection::vec(any_kind(), 1..10), seed in any::<u64>(), dups in prop::collection::vec(any::<prop::sample::Index>(), 0..5)) {
        let log = build(&kinds);
        let expected = fold(&log.0);
        let mut shuffled = log.0.clone();
        for d in &dups {
            shuffled.push(d.get(&log.0).clone());
        }
        // Deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(fold(&shuffled), expected);
    }

    #[test]
    fn any_changed_byte_breaks_verification(kinds in prop::collection::vec(any_kind(), 1..6), which in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let log = build(&kinds);
        let anchors = ledger::heads(&log.0);
        prop_assert!(ledger::verify(SID, &log.1, &anchors).is_ok());
        let mut entries = log.1.clone();
        let e = which.index(entries.len());
        let b = at.index(entries[e].len());
        entries[e][b] ^= flip;
        prop_assert!(ledger::verify(SID, &entries, &anchors).is_err());
    }

    #[test]
    fn an_unconfirmed_double_opt_in_is_never_sendable(extra in prop::collection::vec(any_kind(), 0..6)) {
        let kinds: Vec<EventKind> = std::iter::once(subscribed(true))
            .chain(extra.into_iter().filter(|k| !matches!(k, EventKind::Confirmed { .. } | EventKind::Resubscribed { .. })))
            .collect();
        let log = build(&kinds);
        prop_assert!(!allowed(&log, None));
    }
}
