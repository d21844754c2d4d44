//! Applying one event on top of the heads, as a one-click does: the same as
//! folding the log, refused on other heads, and small however often someone
//! withdraws.

use super::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Applying events one at a time on top of the heads (what a one-click
    /// does without reading the log) gives exactly the fold of the log.
    #[test]
    fn extending_a_state_equals_folding_the_log(kinds in prop::collection::vec(any_event(), 1..14)) {
        let mut log = Log::default();
        let mut state = SubscriberState::default();
        for k in kinds {
            let parents = ledger::heads(&log.0);
            let hash = log.push_on(parents, k);
            let event = log.0.last().unwrap().event.clone();
            prop_assert!(state.extend(hash, &event));
        }
        prop_assert_eq!(state, log.state());
    }

    /// An event that does not name exactly the state's heads is refused by
    /// `extend` (only a whole fold is right for it).
    #[test]
    fn extending_refuses_an_event_written_on_other_heads(kinds in prop::collection::vec(any_event(), 2..8)) {
        let mut log = Log::default();
        log.extend(&kinds);
        let mut state = log.state();
        let before = state.clone();
        log.push_on(Vec::new(), EventKind::ReasonGiven { reason: "other".into() });
        let last = log.0.last().unwrap().clone();
        prop_assert!(!state.extend(last.hash, &last.event));
        prop_assert_eq!(state, before);
    }

    /// However many times someone withdraws, the state stays small: one
    /// entry per scope, one event per entry when they follow each other.
    #[test]
    fn repeated_withdrawals_keep_the_state_small(scope in scope(), n in 1usize..50) {
        let mut log = Log::default();
        log.push(EventKind::Subscribed { list: list(0), topics: vec![topic(0)], frequency: Some(freq(0)), double_opt_in: false, evidence: evidence() });
        for _ in 0..n {
            log.push(EventKind::Unsubscribed { scope: scope.clone(), via: Via::OneClick, reason: None });
        }
        let state = log.state();
        prop_assert!(state.withdrawals.len() <= 2);
        prop_assert!(state.withdrawals.iter().all(|w| w.events.len() == 1));
    }
}
