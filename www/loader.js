// The widget's loader: the entry point that `cargo xtask build` bundles with
// esbuild into www/dist/doi.js (one classic script, wasm inlined) and
// www/dist/doi.split.js (wasm fetched from doi_bg.wasm beside the script).
//
// Two module names are resolved by the build, not by npm:
//   "doi-glue"  the wasm-bindgen glue for crates/widget (`--target web`):
//               default export `init`, plus every #[wasm_bindgen] export.
//   "doi-wasm"  what `init` loads: the module's bytes (one-file build) or
//               the URL of doi_bg.wasm next to this script (split build).
// Load it as a classic script (`<script src=… async>`), not type=module.
import init, { start } from "doi-glue";
import wasm from "doi-wasm";

init({ module_or_path: wasm }).then(start, (error) => {
  console.error("doi: the widget could not start", error);
});
