//! Stored event bytes (what KV hands back): verification and folding never
//! panic, and whatever verifies folds to a state whose heads are real events.
#![no_main]
use doi_core::fold::fold;
use doi_core::ledger;
use doi_core::SubscriberId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let entries: Vec<Vec<u8>> = data.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
    let sid = entries
        .first()
        .and_then(|e| ledger::open(e).ok())
        .map_or(SubscriberId([0; 16]), |e| e.event.subscriber);
    if let Ok(log) = ledger::verify(sid, &entries, &[]) {
        let state = fold(&log);
        for h in &state.heads {
            assert!(log.iter().any(|e| &e.hash == h));
        }
    }
});
