//! The sender API's batch limits, in one place: the Worker refuses a call
//! over them and the `doi` CLI splits its work by them, so the two never
//! disagree. Each is sized so that a call at the maximum stays far below
//! the free plan's 10 ms of CPU as the Worker runs it (wasm in V8), and
//! below a Worker invocation's 1,000 KV operations; `cargo xtask bench`
//! measures both (see `bench/results.md`).

/// Most addresses one `POST /v1/check` carries.
pub const CHECK_BATCH: usize = 500;

/// Most records one `POST /v1/import` or `POST /v1/suppressions` carries.
pub const CHANGE_BATCH: usize = 500;

/// Most recipients one `POST /v1/prepare` prepares.
pub const PREPARE_BATCH: usize = 50;

/// The default size of a `GET /v1/export` page.
pub const EXPORT_PAGE_DEFAULT: usize = 100;

/// The largest `GET /v1/export` page.
pub const EXPORT_PAGE_MAX: usize = 300;
