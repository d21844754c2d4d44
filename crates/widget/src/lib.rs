//! The Dōi widget. For now a skeleton: `www/loader.js` calls [`start`] once
//! the wasm module is instantiated.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console)]
    fn log(message: &str);
}

/// Entry point, called by the loader when the module is ready.
#[wasm_bindgen]
pub fn start() {
    log("doi: widget started");
}
