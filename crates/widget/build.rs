//! Builds the forms of the repository's `doi.toml` into the widget, as the
//! Worker's `build.rs` builds the same file into the Worker: the widget can
//! draw a form as soon as its script has run, without first asking the
//! Worker for the form's definition (one round trip fewer: 150 ms on a slow
//! phone network), and it carries no JSON reader for that definition.
//!
//! Each consent text is written with its version, computed here by doi-core
//! (`ConsentVersion::of`, the function the Worker checks records with), so
//! the widget sends exactly the text and hash the Worker expects. A broken
//! `doi.toml` fails this build with the field to fix.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::{env, fs, path::PathBuf};

use doi_core::config::{Config, Localized};
use doi_core::form::FormDefinition;
use doi_core::Locale;

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
    let config = Config::from_toml(&text).map_err(|e| e.to_string())?;
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("cargo sets OUT_DIR; run cargo")?)
        .join("forms.rs");
    fs::write(&out, source_of(&config)).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// `FORMS`: every form's definition, the parts the widget uses, as Rust
/// literals.
fn source_of(config: &Config) -> String {
    let mut out = String::from("&[\n");
    for form in &config.forms {
        let d = FormDefinition::new(config, form);
        let localized = |l: &Localized| format!("[{:?}, {:?}]", l.ja, l.en);
        let consent = |l: Locale| {
            let c = d.consent(l);
            format!("({:?}, {:?})", c.text, c.version.0)
        };
        let topics: Vec<String> = d
            .topics
            .iter()
            .map(|t| format!("({:?}, {})", t.id.as_str(), localized(&t.name)))
            .collect();
        let _ = writeln!(
            out,
            "Built {{ id: {:?}, title: {}, consent: [{}, {}], topics: &[{}], \
             privacy_url: {:?}, min_fill_ms: {}, default_ja: {}, origins: &{:?}, \
             turnstile: {:?} }},",
            d.id.as_str(),
            localized(&d.title),
            consent(Locale::Ja),
            consent(Locale::En),
            topics.join(", "),
            d.privacy_url,
            d.min_fill_ms,
            d.default_locale == Locale::Ja,
            form.allowed_origins,
            form.turnstile.as_ref().map_or("", |t| t.site_key.as_str()),
        );
    }
    out.push(']');
    out
}
