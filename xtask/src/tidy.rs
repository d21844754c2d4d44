//! The habits of STYLE.md a machine can check, as plain tests (like
//! rust-analyzer's tidy): no source file over 400 lines, a `//!` line atop
//! every module under `crates/` and `xtask/`, no `.only(` left in an
//! end-to-end spec. `cargo test` runs them, and so does `cargo xtask test`
//! (its unit suite is `cargo test --workspace`).

use std::fs;
use std::path::{Path, PathBuf};

/// "Small files, clear rooms": a file per concept, a few hundred lines at
/// most. A file that outgrows this is split by concept into modules.
const MAX_LINES: usize = 400;

/// Folders of generated files, which the length rule does not read.
const GENERATED: [&str; 3] = ["www/dist", "bench/out", "tests/artifacts"];

/// The repository: xtask's parent folder.
fn root() -> PathBuf {
    let xtask = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    xtask.parent().unwrap_or(&xtask).to_path_buf()
}

/// Every file under `dir` whose name ends with `suffix`, in name order.
/// Build output is not ours to tidy: hidden folders, `node_modules`, and
/// cargo's target folders (wherever they are: cargo marks each with a
/// `CACHEDIR.TAG`; `target/`, `target-*/` and `fuzz/target/` here).
fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let Some(name) = path.file_name() else {
            continue;
        };
        let name = name.to_string_lossy();
        if path.is_dir() {
            let skipped = name.starts_with('.')
                || name == "node_modules"
                || name == "target"
                || path.join("CACHEDIR.TAG").exists();
            if !skipped {
                found.extend(files(&path, suffix));
            }
        } else if name.ends_with(suffix) {
            found.push(path);
        }
    }
    found
}

/// `path` relative to the repository, with `/` between folders.
fn shown(path: &Path) -> String {
    let root = root();
    let relative = path.strip_prefix(&root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Fails with every problem found, one per line.
fn none(problems: Vec<String>, what: &str) {
    assert!(
        problems.is_empty(),
        "{what}:\n  {}\n(see STYLE.md, \"Habits\")",
        problems.join("\n  ")
    );
}

#[test]
fn no_source_file_is_longer_than_400_lines() {
    // Rust, and the JavaScript the project writes: the widget's loader, the
    // specs and their helpers, the bench scripts.
    let root = root();
    let problems = [".rs", ".mjs", ".js"]
        .iter()
        .flat_map(|suffix| files(&root, suffix))
        // Build output, not written by hand (both git-ignored).
        .filter(|path| !GENERATED.iter().any(|dir| path.starts_with(root.join(dir))))
        .filter_map(|path| {
            let lines = read(&path).lines().count();
            (lines > MAX_LINES).then(|| {
                format!(
                    "{} has {lines} lines; split it by concept into modules",
                    shown(&path)
                )
            })
        })
        .collect();
    none(problems, &format!("files over {MAX_LINES} lines"));
}

#[test]
fn every_module_starts_with_a_line_saying_what_it_is_for() {
    let root = root();
    let problems = ["crates", "xtask"]
        .iter()
        .flat_map(|dir| files(&root.join(dir), ".rs"))
        .filter(|path| !read(path).starts_with("//!"))
        .map(|path| format!("{} does not start with a `//!` line", shown(&path)))
        .collect();
    none(problems, "modules without a `//!` line");
}

#[test]
fn no_end_to_end_spec_is_left_focused_with_only() {
    let problems = files(&root().join("tests"), ".spec.mjs")
        .into_iter()
        .filter(|path| read(path).contains(".only("))
        .map(|path| format!("{} has `.only(`: every spec must run in CI", shown(&path)))
        .collect();
    none(problems, "specs that would skip the others");
}
