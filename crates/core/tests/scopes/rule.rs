//! The rule itself, over arbitrary histories: a withdrawal holds inside its
//! scope until a resubscribe that covers it and saw it; no consent, no send;
//! leaving every topic is leaving the list; a reason changes nothing.

use super::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The rule itself: after a withdrawal at any scope, whatever follows
    /// that is not a resubscribe, every request inside the scope is refused.
    #[test]
    fn a_withdrawal_is_honoured_inside_its_scope_until_a_resubscribe(
        before in prop::collection::vec(any_event(), 0..8),
        no in withdrawal(),
        after in prop::collection::vec(other_than_resubscribe(), 0..8),
        req in request(),
    ) {
        let mut log = Log::default();
        log.extend(&before);
        log.push(no.clone());
        log.extend(&after);
        if in_scope(&no, &req) {
            prop_assert!(!allowed(&log.state(), &req), "{:?} let {:?} through", no, req);
        }
    }

    /// A resubscribe for another scope (another list, other topics, another
    /// frequency) lifts nothing it does not cover.
    #[test]
    fn a_resubscribe_lifts_only_the_scopes_it_covers(
        before in prop::collection::vec(any_event(), 0..6),
        no in withdrawal(),
        after in prop::collection::vec(prop_oneof![other_than_resubscribe(), resubscribe()], 0..6),
        req in request(),
    ) {
        let mut log = Log::default();
        log.extend(&before);
        log.push(no.clone());
        log.extend(&after);
        let lifted = after.iter().any(|k| match (k, &no) {
            (EventKind::Resubscribed { list, topics, frequency, .. }, EventKind::Unsubscribed { scope, .. }) => {
                *list == req.list && match scope {
                    UnsubscribeScope::All | UnsubscribeScope::List { .. } => true,
                    UnsubscribeScope::Topic { topic, .. } => topics.contains(topic),
                    UnsubscribeScope::Frequency { frequency: f, .. } => frequency.as_ref() == Some(f),
                }
            }
            (EventKind::Resubscribed { list, .. }, EventKind::Erased) => *list == req.list,
            _ => false,
        });
        if in_scope(&no, &req) && !lifted {
            prop_assert!(!allowed(&log.state(), &req));
        }
    }

    /// A resubscribe that never saw a withdrawal (a writer racing it) lifts
    /// nothing: races end in "no mail".
    #[test]
    fn a_resubscribe_racing_a_withdrawal_never_lifts_it(
        before in prop::collection::vec(any_event(), 0..6),
        no in withdrawal(),
        yes in resubscribe(),
        req in request(),
    ) {
        let mut log = Log::default();
        log.extend(&before);
        let heads = ledger::heads(&log.0);
        log.push_on(heads.clone(), no.clone());
        log.push_on(heads, yes);
        if in_scope(&no, &req) {
            prop_assert!(!allowed(&log.state(), &req));
        }
        // And whoever writes next, seeing both, changes nothing by a grant.
        log.push(EventKind::ReasonGiven { reason: "other".into() });
        if in_scope(&no, &req) {
            prop_assert!(!allowed(&log.state(), &req));
        }
    }

    /// No consent, no send: without a signup or resubscribe nothing is allowed.
    #[test]
    fn no_consent_means_no_send(
        kinds in prop::collection::vec(prop_oneof![withdrawal(),
            (0u8..2, any::<bool>()).prop_map(|(l, _)| EventKind::Confirmed { list: list(l), link_issued: None }),
            Just(EventKind::ReasonGiven { reason: "other".into() })], 0..10),
        req in request(),
    ) {
        let mut log = Log::default();
        log.extend(&kinds);
        prop_assert!(!allowed(&log.state(), &req));
    }

    /// Leaving every topic one has is leaving the list: list-wide mail stops.
    #[test]
    fn leaving_every_topic_is_leaving_the_list(
        chosen in topics(),
        noise in prop::collection::vec(other_than_resubscribe().prop_filter("no withdrawals", |k| !k.is_withdrawal()), 0..5),
        via in via(),
    ) {
        let mut log = Log::default();
        log.push(EventKind::Subscribed { list: list(0), topics: chosen.clone(), frequency: Some(freq(0)), double_opt_in: false, evidence: evidence() });
        log.extend(&noise);
        let held = log.state().list(&list(0)).map(|l| l.topics.clone()).unwrap_or_default();
        for t in &held {
            log.push(EventKind::Unsubscribed { scope: UnsubscribeScope::Topic { list: list(0), topic: t.clone() }, via, reason: None });
        }
        if !held.is_empty() {
            let whole = SendRequest { list: list(0), topic: None, frequency: None };
            prop_assert!(!allowed(&log.state(), &whole));
            log.extend(&noise);
            prop_assert!(!allowed(&log.state(), &whole));
        }
    }

    /// A reason is only a reason: recording one anywhere changes no decision.
    #[test]
    fn a_reason_changes_no_decision(
        kinds in prop::collection::vec(any_event(), 1..10),
        at in any::<prop::sample::Index>(),
        req in request(),
    ) {
        let mut plain = Log::default();
        plain.extend(&kinds);
        let mut with_reason = Log::default();
        let i = at.index(kinds.len());
        with_reason.extend(&kinds[..i]);
        with_reason.push(EventKind::ReasonGiven { reason: "too_many".into() });
        with_reason.extend(&kinds[i..]);
        prop_assert_eq!(
            may_send(&plain.state(), &req, LATER).allowed,
            may_send(&with_reason.state(), &req, LATER).allowed
        );
    }
}
