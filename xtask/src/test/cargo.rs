//! The suites cargo runs: formatting, clippy (natively and as shipped, to
//! wasm), rustdoc, the native unit tests, the fuzz smoke run, the build and
//! the widget's browser tests.

use super::tally::cargo_test_result;
use super::{Counts, Tally};
use crate::build::{self, Parts};
use crate::process;
use crate::project::Project;
use crate::Result;

pub(super) fn fmt(project: &Project) -> Result<Tally> {
    process::run(project.cargo().args(["fmt", "--all", "--", "--check"]))?;
    Ok(None)
}

pub(super) fn clippy(project: &Project) -> Result<Tally> {
    let deny = ["--", "-D", "warnings"];
    process::run(
        project
            .cargo()
            .args(["clippy", "--workspace", "--all-targets"])
            .args(deny),
    )?;
    // The widget and the Worker also as what they ship as: wasm.
    process::run(
        project
            .cargo()
            .args(["clippy", "--target", "wasm32-unknown-unknown"])
            .args(["--package", "doi-widget", "--all-targets"])
            .args(deny),
    )?;
    // … and as shipped: without std.
    process::run(
        project
            .cargo()
            .args(["clippy", "--target", "wasm32-unknown-unknown"])
            .args(["--package", "doi-widget", "--lib", "--features", "trap"])
            .args(deny),
    )?;
    process::run(
        project
            .cargo()
            .args(["clippy", "--target", "wasm32-unknown-unknown"])
            .args(["--package", "doi-worker", "--lib"])
            .args(deny),
    )?;
    Ok(None)
}

pub(super) fn doc(project: &Project) -> Result<Tally> {
    process::run(
        project
            .cargo()
            .args(["doc", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    Ok(None)
}

/// `cargo test` natively: doi-core, the Worker's logic, xtask.
pub(super) fn unit(project: &Project) -> Result<Tally> {
    let (ok, output) = process::run_tee(project.cargo().args(["test", "--workspace"]))?;
    cargo_test_result(ok, &output)
}

/// Each fuzz target for a few seconds: a crash in a parser of outside input
/// fails the run. Longer runs: `cargo xtask fuzz [SECONDS]`.
pub(super) fn fuzz_smoke(project: &Project) -> Result<Tally> {
    let runs = crate::fuzz::fuzz(project, FUZZ_SMOKE_SECONDS)?;
    let failed = runs.iter().filter(|r| r.crashed).count() as u32;
    Ok(Some(Counts {
        passed: runs.len() as u32 - failed,
        failed,
    }))
}

/// Seconds per target in the smoke run.
const FUZZ_SMOKE_SECONDS: u64 = 5;

pub(super) fn build_all(project: &Project) -> Result<Tally> {
    build::build(project, Parts::ALL)?;
    Ok(None)
}

/// wasm-bindgen-test in headless Chromium (crates/widget/tests/*.rs).
pub(super) fn widget_browser(project: &Project) -> Result<Tally> {
    let (ok, output) = process::run_tee(
        project
            .cargo()
            .args([
                "test",
                "--package",
                "doi-widget",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "60"),
    )?;
    cargo_test_result(ok, &output)
}
