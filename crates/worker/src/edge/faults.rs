//! A panic on demand, for the end-to-end test that a panic does not
//! poison the next request (tests/panic.spec.mjs). Only when the variable
//! `DOI_TEST_FAULTS` is `on`, which `cargo xtask test` alone sets (`--var`):
//! anywhere else `/__test/panic` is an unknown page like any other.
//! `?when=now` panics in the request's first, synchronous poll;
//! `?when=after-kv` after awaiting a KV read, in a poll the promise
//! machinery drives.

use worker::Env;

use super::Kv;
use crate::http;
use crate::store::Store;

/// The path of the probe.
const PATH: &str = "/__test/panic";

/// Whether `request` asks for a panic and this Worker was started to give one.
pub(super) fn wanted(env: &Env, request: &http::Request) -> bool {
    request.path == PATH
        && env
            .var("DOI_TEST_FAULTS")
            .is_ok_and(|on| on.to_string() == "on")
}

/// Panics, now or after a KV read, as `request` asks.
#[allow(
    clippy::panic,
    reason = "the point of the probe: a panic the test can cause"
)]
pub(super) async fn panic(store: &Kv, request: &http::Request) {
    if request.query.contains("when=after-kv") {
        // The answer does not matter; the await does.
        let _ = store.get("pulse").await;
    }
    panic!("a panic asked for by {PATH} (DOI_TEST_FAULTS=on)");
}
