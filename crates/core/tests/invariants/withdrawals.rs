//! A withdrawal holds: against signups and imports, a racing resubscribe,
//! a concurrent preference change, and after erasure.

use super::*;

#[test]
fn a_signup_or_import_never_lifts_an_unsubscribe() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(2, unsub(UnsubscribeScope::All));
    log.push(3, subscribed(false));
    assert!(fold(&log.0).list_stopped(&list()).is_some());
    log.push(4, resubscribed());
    assert!(allowed(&log, None));
}

#[test]
fn a_resubscribe_racing_an_unsubscribe_it_never_saw_loses() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(2, unsub(UnsubscribeScope::List { list: list() }));
    // A writer that read the log before the unsubscribe...
    let stale = vec![log.0[0].hash];
    let u = log.push(3, unsub(UnsubscribeScope::All));
    let _ = u;
    // ...resubscribes later in time, but never saw the unsubscribe-all.
    log.push_with(4, stale, resubscribed());
    assert!(!allowed(&log, None));
    // A later resubscribe that saw everything wins.
    log.push(5, resubscribed());
    assert!(allowed(&log, None));
}

#[test]
fn concurrent_one_click_and_preference_change_both_survive_and_no_mail_goes() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    let seen = ledger::heads(&log.0);
    log.push_with(
        2,
        seen.clone(),
        unsub(UnsubscribeScope::List { list: list() }),
    );
    log.push_with(
        3,
        seen,
        EventKind::PreferencesChanged {
            list: list(),
            topics: vec![topic(0)],
            frequency: None,
            paused_until: None,
        },
    );
    let state = fold(&log.0);
    assert_eq!(state.events, 3);
    assert_eq!(state.heads.len(), 2, "the fork keeps both events");
    assert_eq!(state.list(&list()).unwrap().status, Status::Unsubscribed);
    assert!(!allowed(&log, Some(0)));
}

#[test]
fn erasure_keeps_the_subscriber_suppressed() {
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(2, EventKind::Erased);
    let state = fold(&log.0);
    assert!(state.erased);
    assert_eq!(
        may_send(&state, &req(None), Timestamp(0)).reason,
        Reason::Erased
    );
    assert!(
        state.list(&list()).unwrap().consent.is_none(),
        "no evidence remains"
    );
}
