//! What verifying a log reports: missing parents, foreign events, missing
//! anchors.

use super::*;

#[test]
fn verification_reports_missing_parents_foreign_events_and_missing_anchors() {
    use doi_core::ledger::ChainError;
    let mut log = Log::new();
    log.push(1, subscribed(false));
    log.push(2, unsub(UnsubscribeScope::All));
    let anchors = ledger::heads(&log.0);
    assert!(matches!(
        ledger::verify(SID, &log.1[1..], &anchors),
        Err(ChainError::MissingParent { .. })
    ));
    assert!(matches!(
        ledger::verify(SID, &log.1[..1], &anchors),
        Err(ChainError::MissingAnchor(_))
    ));
    assert!(matches!(
        ledger::verify(SubscriberId([8; 16]), &log.1, &anchors),
        Err(ChainError::WrongSubscriber { index: 0 })
    ));
    assert!(matches!(
        ledger::verify(SID, &[b"{".to_vec()], &[]),
        Err(ChainError::Unreadable { index: 0, .. })
    ));
}
