//! doi-worker: the Cloudflare Worker of Dōi.
//!
//! Thin edges around doi-core. `edge.rs` (wasm32 only) is the only code that touches the
//! Workers runtime (requests, KV, secrets, `fetch`, timers); everything else
//! works on plain types — [`http::Request`] in, [`http::Response`] out, KV
//! behind the [`store::Store`] trait — so `cargo test -p doi-worker` runs
//! real flows natively over an in-memory store.
//!
//! Map: [`app`] routes; [`api`] the JSON API; [`hosted`] the page handlers
//! and [`pages`] their pure rendering; [`signup`] recording consent and
//! sending confirmations through [`delivery`]; [`subscribers`] the event log
//! and snapshots in KV by the layout in [`keys`]; [`repair`] retries and the
//! scheduled sweep; [`secrets`] the Worker secrets; [`mailto`] a mail to
//! the unsubscribe address.
//!
//! Must never: answer 2xx before the event it reports is written; change
//! state on GET; put an email address in a key, a generated URL or a log
//! line; panic on input.

// The sender's console at /admin (issue 13).
pub mod admin;
pub mod api;
pub mod app;
pub mod ctx;
pub mod delivery;
pub mod formdata;
pub mod hosted;
pub mod http;
pub mod keys;
pub mod mailto;
// The console's overview, recounted by the cron (issue 13).
pub mod overview;
pub mod pages;
pub mod providers;
pub mod ratelimit;
pub mod receipts;
pub mod repair;
pub mod retention;
pub mod secrets;
pub mod signup;
pub mod store;
pub mod subscribers;
pub mod texts;
pub mod turnstile;

#[cfg(all(target_arch = "wasm32", feature = "edge"))]
mod edge;

/// Test support, shared by the unit tests, the benchmarks and the fuzz
/// targets (feature `testing`; never in the Worker).
#[cfg(any(test, feature = "testing"))]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub mod testing;

/// `doi.toml` as built into the Worker: validated by `build.rs` and
/// embedded as JSON, so the Worker carries no TOML parser.
pub const DOI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/doi.json"));

/// The configuration, parsed once per isolate.
pub fn config() -> Result<&'static doi_core::Config, String> {
    static CONFIG: std::sync::OnceLock<Result<doi_core::Config, String>> =
        std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| doi_core::Config::from_json(DOI_JSON).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests;
