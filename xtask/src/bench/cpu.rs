//! Part 4: Criterion medians of every crate that has benches, and the
//! Worker bundle's size.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::report::{parse_sections, Section};
use super::Options;
use crate::process;
use crate::project::Project;
use crate::{Error, Result};

/// Criterion benches of every crate that has them, then the Worker's size.
pub fn run(project: &Project, options: &Options) -> Result<Vec<Section>> {
    let home = project.path("bench/out/criterion");
    let _ = fs::remove_dir_all(&home);
    let (warm_up, measure) = if options.quick {
        ("0.3", "0.7")
    } else {
        ("0.5", "1.5")
    };
    let mut benches = vec![("doi-core", "core")];
    if project.path("crates/worker/benches/worker").is_dir() {
        benches.push(("doi-worker", "worker"));
    }
    // The Worker's bench prints its tables (KV, data path, long log) first.
    let mut printed = Vec::new();
    for (package, bench) in &benches {
        let (ok, stdout) = process::run_tee(
            project
                .cargo()
                .args(["bench", "--package", package, "--bench", bench, "--"])
                .args(["--warm-up-time", warm_up, "--measurement-time", measure])
                .env("CRITERION_HOME", &home),
        )?;
        if !ok {
            return Err(Error::new(format!("`cargo bench -p {package}` failed")));
        }
        printed.extend(parse_sections(&stdout));
    }
    let medians = criterion_medians(&home)?;

    let mut section = Section::new("4. CPU per request without KV, and the Worker's size");
    section.text(
        "Native Criterion benchmarks (release profile, median of each): the work a \
         route does between reading KV and answering. The Worker runs the same code \
         as wasm in V8, typically 1.5–3× slower than native, so the goal (≤ 1 ms per \
         route) is read against native × 3; Cloudflare's free plan allows 10 ms.",
    );
    let (routes, operations): (Vec<_>, Vec<_>) = medians
        .iter()
        .partition(|(id, _)| id.starts_with("route/") || id.starts_with("check, per address"));
    if !routes.is_empty() {
        section.text("");
        section.text(
            "Per route: the whole handler through `app::handle` (routing, body parsing, \
             doi-core, rendering, JSON) over the in-memory store (`crates/worker/benches`):",
        );
        cpu_table(&mut section, &routes, "route/");
    }
    section.text("");
    section.text("doi-core operations inside those routes (`crates/core/benches`):");
    cpu_table(&mut section, &operations, "");
    worker_size(project, &mut section)?;
    Ok(std::iter::once(section).chain(printed).collect())
}

fn cpu_table(section: &mut Section, medians: &[&(String, f64)], prefix: &str) {
    section.table(&["operation", "median", "× 3 (wasm estimate)", "vs 1 ms goal"]);
    for (id, nanos) in medians {
        let wasm = nanos * 3.0;
        let verdict = if wasm <= 1e6 {
            "within"
        } else if wasm <= 10e6 {
            "**over goal**, within 10 ms"
        } else {
            "**over 10 ms**"
        };
        section.row(vec![
            format!("`{}`", id.strip_prefix(prefix).unwrap_or(id)),
            duration(*nanos),
            duration(wasm),
            verdict.into(),
        ]);
    }
}

/// `(benchmark id, median ns)` from Criterion's `estimates.json` files.
fn criterion_medians(home: &Path) -> Result<Vec<(String, f64)>> {
    let mut found = Vec::new();
    let mut stack = vec![home.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.ends_with("new/benchmark.json") {
                let meta = fs::read_to_string(&path)?;
                let estimates = fs::read_to_string(path.with_file_name("estimates.json"))?;
                if let (Some(id), Some(median)) = (
                    json_string(&meta, "full_id"),
                    json_number_after(&estimates, "\"median\"", "point_estimate"),
                ) {
                    found.push((id, median));
                }
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    if found.is_empty() {
        return Err(Error::new(format!(
            "no Criterion results in {}",
            home.display()
        )));
    }
    Ok(found)
}

/// The string value of `"key":"…"` in a small JSON text (no escapes in ids).
fn json_string(json: &str, key: &str) -> Option<String> {
    let start = json.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let len = json[start..].find('"')?;
    Some(json[start..start + len].to_string())
}

/// The number of `"key":` after the first `anchor` in a JSON text.
fn json_number_after(json: &str, anchor: &str, key: &str) -> Option<f64> {
    let rest = &json[json.find(anchor)?..];
    let start = rest.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &rest[start..];
    let end = rest.find([',', '}'])?;
    rest[..end].trim().parse().ok()
}

fn duration(nanos: f64) -> String {
    if nanos >= 1e6 {
        format!("{:.2} ms", nanos / 1e6)
    } else if nanos >= 1e3 {
        format!("{:.1} µs", nanos / 1e3)
    } else {
        format!("{nanos:.0} ns")
    }
}

/// The Worker bundle as deployed: raw and gzip against the goal and limit.
fn worker_size(project: &Project, section: &mut Section) -> Result<()> {
    section.text("");
    section.text(
        "The Worker's bundle (`crates/worker/build`, as `wrangler deploy` uploads it), \
         against the goal of 1 MB gzip and Cloudflare's 3 MB limit (free plan):",
    );
    section.table(&["file", "raw", "gzip", "share of 1 MB goal"]);
    let mut total = (0, 0);
    for name in ["index_bg.wasm", "index.js"] {
        let path = project.path("crates/worker/build").join(name);
        let raw = fs::metadata(&path)
            .map_err(|error| Error::new(format!("{}: {error}", path.display())))?
            .len();
        let gzip = gzip_size(&path)?;
        total = (total.0 + raw, total.1 + gzip);
        section.row(vec![
            name.into(),
            kilobytes(raw),
            kilobytes(gzip),
            format!("{:.1} %", gzip as f64 / 1e4),
        ]);
    }
    section.row(vec![
        "**total**".into(),
        kilobytes(total.0),
        kilobytes(total.1),
        format!("{:.1} %", total.1 as f64 / 1e4),
    ]);
    Ok(())
}

fn gzip_size(path: &Path) -> Result<u64> {
    let compressed = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|error| Error::new(format!("gzip: {error}")))?;
    Ok(compressed.stdout.len() as u64)
}

fn kilobytes(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}
