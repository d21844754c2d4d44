//! Validates the repository's `doi.toml` at build time and embeds it as JSON:
//! a broken configuration fails the build with the field to fix, and the
//! Worker parses JSON (serde_json, already linked) instead of carrying a
//! TOML parser (about 130 KB of wasm).

use std::process::ExitCode;
use std::{env, fs, path::PathBuf};

fn main() -> ExitCode {
    match embed() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // Cargo shows a failed build script's stderr: what to fix.
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn embed() -> Result<(), String> {
    let manifest = PathBuf::from(
        env::var_os("CARGO_MANIFEST_DIR").ok_or("cargo sets CARGO_MANIFEST_DIR; run cargo")?,
    );
    let source = manifest.join("../../doi.toml");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = fs::read_to_string(&source)
        .map_err(|e| format!("cannot read {}: {e}", source.display()))?;
    let config = doi_core::Config::from_toml(&text).map_err(|e| e.to_string())?;
    let json =
        serde_json::to_string(&config).map_err(|e| format!("cannot serialise doi.toml: {e}"))?;
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("cargo sets OUT_DIR; run cargo")?)
        .join("doi.json");
    fs::write(&out, json).map_err(|e| format!("cannot write {}: {e}", out.display()))
}
