//! Browser tests, run by `cargo xtask test` in headless Chromium.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn start_runs_in_a_browser() {
    doi_widget::start();
}
