//! Validates the repository's `doi.toml` at build time and embeds it as JSON:
//! a broken configuration fails the build with the field to fix, and the
//! Worker parses JSON (serde_json, already linked) instead of carrying a
//! TOML parser (about 130 KB of wasm).

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let source = manifest.join("../../doi.toml");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = match fs::read_to_string(&source) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", source.display()),
    };
    let config = match doi_core::Config::from_toml(&text) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let json = match serde_json::to_string(&config) {
        Ok(j) => j,
        Err(e) => panic!("cannot serialise doi.toml: {e}"),
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default()).join("doi.json");
    if let Err(e) = fs::write(&out, json) {
        panic!("cannot write {}: {e}", out.display());
    }
}
