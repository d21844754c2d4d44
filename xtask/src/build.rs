//! `cargo xtask build`: the widget into `www/dist/` and the Worker into
//! `crates/worker/build/` (where `wrangler.toml`'s `main` points).
//!
//! Widget: cargo (wasm32, release) → wasm-opt `-Oz` → esbuild bundles
//! `www/loader.js` into one classic script, `doi.js`, with the wasm inlined; and `doi.split.js` + `doi_bg.wasm`
//! for comparison. Worker: worker-build with our pinned wasm-bindgen,
//! wasm-opt and esbuild (it would otherwise download them).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::process;
use crate::project::Project;
use crate::setup;
use crate::{Error, Result};

/// Set by xtask for the wrangler it starts: wrangler runs `[build] command`
/// itself, but xtask has built everything just before.
pub const SKIP_ENV: &str = "DOI_SKIP_BUILD";

/// Files in `www/` that are build inputs, not pages to publish.
const WWW_INPUTS: &[&str] = &["loader.js"];

#[derive(Clone, Copy)]
pub struct Parts {
    widget: bool,
    worker: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        widget: true,
        worker: true,
    };

    pub fn parse(args: &[String]) -> Result<Self> {
        match args {
            [] => Ok(Parts::ALL),
            [part] if part == "widget" => Ok(Parts {
                widget: true,
                worker: false,
            }),
            [part] if part == "worker" => Ok(Parts {
                widget: false,
                worker: true,
            }),
            _ => Err(Error::new("usage: cargo xtask build [widget|worker]")),
        }
    }
}

/// The command: installs missing tools first, so `wrangler deploy` (whose
/// `[build] command` this is) works on a fresh clone.
pub fn run(project: &Project, parts: Parts) -> Result<()> {
    if env::var_os(SKIP_ENV).is_some() {
        println!("cargo xtask build: skipped ({SKIP_ENV} is set: xtask has just built)");
        return Ok(());
    }
    setup::run(project, setup::Browser::NotNeeded)?;
    build(project, parts)
}

/// Builds without running setup (the caller has).
pub fn build(project: &Project, parts: Parts) -> Result<()> {
    if parts.widget {
        widget(project)?;
    }
    if parts.worker {
        worker(project)?;
    }
    Ok(())
}

fn widget(project: &Project) -> Result<()> {
    println!("== build: widget");
    process::run(project.cargo().args([
        "build",
        "--package",
        "doi-widget",
        "--features",
        "trap",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
    ]))?;
    let compiled = project
        .target_dir()
        .join("wasm32-unknown-unknown/release/doi_widget.wasm");

    // The optimised module and what loads it, as inputs to esbuild. No
    // binding generator: `www/loader/wasm.js` speaks the module's own small
    // ABI (crates/widget/src/abi.rs).
    let glue_dir = project.target_dir().join("doi-widget-glue");
    let _ = fs::remove_dir_all(&glue_dir);
    fs::create_dir_all(&glue_dir)?;
    let module = glue_dir.join("doi_bg.wasm");
    let unoptimised = file_size(&compiled)?;
    // Names, debug info and the producers section go; the target-features
    // section must stay (DESIGN.md).
    process::run(
        project
            .command(project.npm_bin("wasm-opt"))
            .args(WIDGET_WASM_OPT)
            .args(["--strip-debug", "--strip-producers"])
            .arg(&compiled)
            .arg("-o")
            .arg(&module),
    )?;
    // What "doi-wasm" means in www/loader.js, per variant: a function
    // returning what `init` (www/loader/wasm.js) loads. Inlined, the module travels
    // gzip-compressed (by zopfli) as base64, smaller than doi_bg.wasm served
    // with gzip -9 (plain base64 of the module compresses a third worse),
    // and the browser inflates it while compiling it.
    fs::write(
        glue_dir.join("inline.js"),
        format!(
            "const packed = \"{}\";\n\
             export default () => new Response(\n\
             \x20 new Blob([Uint8Array.from(atob(packed), (c) => c.charCodeAt(0))])\n\
             \x20   .stream()\n\
             \x20   .pipeThrough(new DecompressionStream(\"gzip\")),\n\
             \x20 {{ headers: {{ \"content-type\": \"application/wasm\" }} }},\n\
             );\n",
            base64(&gzip(&module)?)
        ),
    )?;
    fs::write(
        glue_dir.join("beside-script.js"),
        "const script = document.currentScript ||\n\
         \x20 [...document.querySelectorAll('script[src*=\"/doi.\"]')].pop();\n\
         const url = new URL(\"doi_bg.wasm\", script.src);\n\
         export default () => url;\n",
    )?;

    let dist = project.path("www/dist");
    fs::create_dir_all(&dist)?;
    bundle(project, &glue_dir, "inline.js", &dist.join("doi.js"))?;
    bundle(
        project,
        &glue_dir,
        "beside-script.js",
        &dist.join("doi.split.js"),
    )?;
    fs::copy(&module, dist.join("doi_bg.wasm"))?;
    // Turnstile's part, an ES module the loader imports only when a form
    // needs it.
    process::run(
        project
            .command(project.npm_bin("esbuild"))
            .arg(project.path("www/loader/turnstile.js"))
            .args(["--bundle", "--format=esm", "--minify", "--target=es2020"])
            .arg("--log-level=warning")
            .arg(format!(
                "--outfile={}",
                dist.join("doi-turnstile.js").display()
            )),
    )?;
    publish_pages(project, &dist)?;

    println!("widget (bytes, raw / gzip -9):");
    println!("  {:<34} {unoptimised:>8}", "wasm before wasm-opt");
    for name in ["doi.js", "doi.split.js", "doi_bg.wasm"] {
        print_size(&format!("www/dist/{name}"), &dist.join(name))?;
    }
    Ok(())
}

/// How wasm-opt shrinks the widget. Besides `-Oz`, two facts about the
/// module that let it drop code: nothing uses the first 1 KB of memory
/// (Rust's stack and data start far above; null is never dereferenced),
/// and the memory starts zeroed (the module defines it, nothing imports
/// it). `--traps-never-happen` would save 0.4 KB more but is not true
/// here: a panic traps, and the loader relies on that trap.
pub const WIDGET_WASM_OPT: [&str; 4] = [
    "-Oz",
    "--converge",
    "--low-memory-unused",
    "--zero-filled-memory",
];

/// esbuild: `www/loader.js` (+ wasm) → one minified classic script.
fn bundle(project: &Project, glue_dir: &Path, wasm_module: &str, out: &Path) -> Result<()> {
    let alias = |name: &str, file: &Path| format!("--alias:{name}={}", file.display());
    process::run(
        project
            .command(project.npm_bin("esbuild"))
            .arg(project.path("www/loader.js"))
            .args(["--bundle", "--format=iife", "--minify", "--target=es2020"])
            .arg("--log-level=warning")
            .arg(alias("doi-wasm", &glue_dir.join(wasm_module)))
            .arg(format!("--outfile={}", out.display())),
    )
}

/// Copies the demo pages (everything in `www/` but build inputs) to dist.
fn publish_pages(project: &Project, dist: &Path) -> Result<()> {
    for entry in fs::read_dir(project.path("www"))? {
        let entry = entry?;
        let name = entry.file_name();
        let is_input = WWW_INPUTS.iter().any(|input| name == *input);
        if entry.file_type()?.is_file() && !is_input {
            fs::copy(entry.path(), dist.join(&name))?;
        }
    }
    Ok(())
}

/// The Worker's optimisation level, over the release profile's `z` (which
/// the widget keeps: every visitor downloads it). Measured by `cargo xtask
/// bench` (wasm in V8): `3` runs the batch routes about 1.5–2.5× faster
/// than `z` for a module about twice the size (still a third of the 1 MB
/// goal), and the isolate's startup stays far below the 1 s limit.
/// `bench/wasm-cpu` is built the same way.
pub const WORKER_OPT_LEVEL: &str = "3";

fn worker(project: &Project) -> Result<()> {
    println!("== build: worker");
    let started = Instant::now();
    process::run(
        project
            .command("worker-build")
            .arg("--release")
            .current_dir(project.path("crates/worker"))
            // The Worker is built for speed, the widget for size: see
            // `WORKER_OPT_LEVEL`.
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", WORKER_OPT_LEVEL)
            .env(
                "WASM_BINDGEN_BIN",
                project.cargo_bin_dir().join("wasm-bindgen"),
            )
            .env("WASM_OPT_BIN", project.npm_bin("wasm-opt"))
            .env("ESBUILD_BIN", project.npm_bin("esbuild")),
    )?;
    println!("worker-build took {:.1} s", started.elapsed().as_secs_f64());
    println!("worker (bytes, raw / gzip -9):");
    let out = project.path("crates/worker/build");
    let mut files: Vec<PathBuf> = fs::read_dir(&out)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "js" || ext == "wasm")
        })
        .collect();
    files.sort();
    for file in files {
        let name = file.strip_prefix(&project.root).unwrap_or(&file);
        print_size(&name.display().to_string(), &file)?;
    }
    Ok(())
}

/// The file at `path` as a gzip stream, by zopfli (no name or time:
/// reproducible).
fn gzip(path: &Path) -> Result<Vec<u8>> {
    let bytes = fs::read(path)?;
    let mut out = Vec::with_capacity(bytes.len() / 2);
    let options = zopfli::Options {
        // The crate's default: more iterations gain a few bytes for seconds.
        iteration_count: std::num::NonZeroU64::MIN.saturating_add(14),
        ..zopfli::Options::default()
    };
    zopfli::compress(options, zopfli::Format::Gzip, &bytes[..], &mut out)
        .map_err(|error| Error::new(format!("zopfli {}: {error}", path.display())))?;
    Ok(out)
}

/// Standard base64 with padding (what `atob` reads).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn file_size(path: &Path) -> Result<u64> {
    Ok(fs::metadata(path)
        .map_err(|error| Error::new(format!("{}: {error}", path.display())))?
        .len())
}

fn print_size(label: &str, path: &Path) -> Result<()> {
    let gzip = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map_or_else(|| "?".to_string(), |output| output.stdout.len().to_string());
    println!("  {label:<34} {:>8} / {gzip:>7}", file_size(path)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }
}
