//! The harness lives in `doi_worker::testing::world`, shared with the wasm
//! CPU benchmark (`bench/wasm-cpu`), so both measure the same requests.

pub use doi_worker::testing::world::*;
