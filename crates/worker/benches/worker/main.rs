//! The Worker's own CPU per route and its KV operations, natively: every
//! request goes through `app::handle`, as in the Worker, over the in-memory
//! store wrapped in a counter of the KV calls the edge would make (a bulk
//! read per 100 keys, like `edge.rs`). `cargo xtask bench` runs this and
//! puts the figures in `bench/results.md`; by hand:
//! `cargo bench -p doi-worker --bench worker` (`-- <filter>` picks Criterion
//! benchmarks; the tables always print).
//!
//! Before the Criterion benchmarks it prints, in the line protocol of
//! `bench/lib.mjs`, two tables: KV calls per route, and the data path
//! (import, check, export, repair) at 1 000 and 10 000 subscribers.

mod harness;
mod routes;
mod tables;

use criterion::Criterion;

fn main() {
    tables::kv_per_route();
    tables::data_path();
    let mut c = Criterion::default().configure_from_args();
    routes::per_route(&mut c);
    c.final_summary();
}
