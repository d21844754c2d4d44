//! The Worker's own CPU per route and its KV operations, natively: every
//! request goes through `app::handle`, as in the Worker, over the in-memory
//! store wrapped in a counter of the KV calls the edge would make (a bulk
//! read per 100 keys, like `edge.rs`). `cargo xtask bench` runs this and
//! puts the figures in `bench/results.md`; by hand:
//! `cargo bench -p doi-worker --bench worker` (`-- <filter>` picks Criterion
//! benchmarks; the tables always print).
//!
//! Before the Criterion benchmarks it prints, in the line protocol of
//! `bench/lib.mjs`, three tables: KV calls per route, the data path
//! (import, check, export, repair) at 1 000 and 10 000 subscribers, and one
//! subscriber's log at 1, 100 and 10 000 events (one-click, snapshot, fold,
//! rebuild).
// A benchmark of fixed inputs: a failed expect is a broken benchmark.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

mod harness;
mod log;
mod routes;
mod tables;

use criterion::Criterion;

fn main() {
    tables::kv_per_route();
    tables::data_path();
    let logs: Vec<log::Long> = log::LENGTHS.into_iter().map(log::build).collect();
    log::table(&logs);
    let mut c = Criterion::default().configure_from_args();
    routes::per_route(&mut c);
    if let Some(longest) = logs.last() {
        log::bench(&mut c, longest);
    }
    c.final_summary();
}
