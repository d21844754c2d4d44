//! The sender API's batch limits, in one place: the Worker refuses a call
//! over them and the `doi` CLI splits its work by them, so the two never
//! disagree. Each is sized so that a call at the maximum takes at most
//! about 5 ms of CPU as the Worker runs it (wasm in V8: `cargo xtask bench
//! --only wasm`, table in `bench/results.md`), half the free plan's 10 ms,
//! and stays below a Worker invocation's 1,000 KV operations. Measured on
//! 2026-12-01 at 500 addresses: check 6.8 ms, import 18 ms, suppressions
//! 12 ms, prepare ×50 1.7 ms, an export page of 300 4.0 ms; then at 100:
//! import 4.4–7.9 ms and suppressions 4.0–5.4 ms (1,000 to 100,000
//! subscribers), so those took 50. Then every change got a signed consent
//! receipt (about 157 µs of CPU each as wasm): a call at 50 would spend
//! 7.9 ms on signatures alone, so import and suppressions take 16, each of
//! them signed (`doi_worker::receipts::SIGN_BUDGET` is this bound).
//! Measured on 2026-12-02 with receipts and record keeping in place (at
//! 1,000 · 10,000 · 100,000 subscribers): import ×16 3.9 · 4.4 · 3.4 ms,
//! suppressions ×16 3.9 · 3.9 · 3.4 ms, prepare ×100 4.1 · 4.5 · 5.2 ms,
//! and an export page of 200 8.7 · 10 · 9.8 ms: rebuilding each event's
//! receipt (its JWS from the event and its key's metadata) costs about
//! 12 µs natively, 3× the rest of its line. So prepare takes 80 and an
//! export page 50 (which leaves room for the two or three events a
//! subscriber usually has: the bench's have one).

/// Most addresses one `POST /v1/check` carries.
pub const CHECK_BATCH: usize = 250;

/// Most records one `POST /v1/import` or `POST /v1/suppressions` carries.
pub const CHANGE_BATCH: usize = 16;

/// Most recipients one `POST /v1/prepare` prepares.
pub const PREPARE_BATCH: usize = 80;

/// The default size of a `GET /v1/export` page.
pub const EXPORT_PAGE_DEFAULT: usize = 50;

/// The largest `GET /v1/export` page.
pub const EXPORT_PAGE_MAX: usize = 50;
