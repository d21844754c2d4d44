//! `cargo xtask test`: every suite the project has, in one list. Fails if a
//! suite fails or a test runner ran no test. `--only SUITE` for a fast loop.

use std::env;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use crate::build::{self, Parts};
use crate::mailbox;
use crate::process;
use crate::project::Project;
use crate::setup::{self, Browser};
use crate::wrangler;
use crate::{Error, Result};

/// How many tests a runner reported; `None` for checks that are not tests.
type Tally = Option<Counts>;

/// A suite's result for the summary: its tally, or why it failed.
type Outcome = std::result::Result<Tally, String>;

#[derive(Clone, Copy, Default)]
struct Counts {
    passed: u32,
    failed: u32,
}

struct Suite {
    name: &'static str,
    /// Needs the widget and the Worker built first.
    needs_build: bool,
    run: fn(&Project) -> Result<Tally>,
}

/// Every suite, in the order they run. New suites go here.
const SUITES: &[Suite] = &[
    Suite {
        name: "fmt",
        needs_build: false,
        run: fmt,
    },
    Suite {
        name: "clippy",
        needs_build: false,
        run: clippy,
    },
    Suite {
        name: "doc",
        needs_build: false,
        run: doc,
    },
    Suite {
        name: "unit",
        needs_build: false,
        run: unit,
    },
    Suite {
        name: "fuzz-smoke",
        needs_build: false,
        run: fuzz_smoke,
    },
    Suite {
        name: "build",
        needs_build: false,
        run: build_all,
    },
    Suite {
        name: "widget-browser",
        needs_build: false,
        run: widget_browser,
    },
    Suite {
        name: "e2e",
        needs_build: true,
        run: end_to_end,
    },
    Suite {
        name: "e2e-limits",
        needs_build: true,
        run: end_to_end_limits,
    },
    Suite {
        name: "deploy-dry-run",
        needs_build: true,
        run: deploy_dry_run,
    },
];

pub struct Options {
    only: Vec<String>,
    no_build: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut options = Options {
            only: Vec::new(),
            no_build: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--only" => {
                    let names = args
                        .next()
                        .ok_or_else(|| Error::new("--only wants a suite name"))?;
                    options.only.extend(names.split(',').map(str::to_string));
                }
                "--no-build" => options.no_build = true,
                other => return Err(Error::new(format!("unknown option `{other}`"))),
            }
        }
        for name in &options.only {
            if !SUITES.iter().any(|suite| suite.name == name) {
                let names: Vec<_> = SUITES.iter().map(|suite| suite.name).collect();
                return Err(Error::new(format!(
                    "no suite `{name}`; the suites are {}",
                    names.join(", ")
                )));
            }
        }
        Ok(options)
    }

    fn selects(&self, suite: &Suite) -> bool {
        self.only.is_empty() || self.only.iter().any(|name| name == suite.name)
    }
}

pub fn run(project: &Project, options: Options) -> Result<()> {
    setup::run(project, Browser::Needed)?;
    let mut built = options.no_build;
    let mut build_failed = false;
    let mut outcomes: Vec<(&str, Outcome)> = Vec::new();
    for suite in SUITES.iter().filter(|suite| options.selects(suite)) {
        if process::interrupted() {
            return Err(Error::new("interrupted"));
        }
        if suite.needs_build && !built {
            if build_failed {
                outcomes.push((suite.name, Err("not run: the build failed".into())));
                continue;
            }
            println!("\n==== test: build (needed by {})", suite.name);
            built = true;
            if let Err(error) = build::build(project, Parts::ALL) {
                build_failed = true;
                outcomes.push(("build", Err(error.to_string())));
                outcomes.push((suite.name, Err("not run: the build failed".into())));
                continue;
            }
        }
        println!("\n==== test: {}", suite.name);
        let started = Instant::now();
        let outcome = match (suite.run)(project) {
            Ok(Some(counts)) if counts.passed + counts.failed == 0 => {
                Err("ran no test".to_string())
            }
            Ok(Some(counts)) if counts.failed > 0 => Err(format!(
                "{} passed, {} failed",
                counts.passed, counts.failed
            )),
            Ok(tally) => Ok(tally),
            Err(error) => Err(error.to_string()),
        };
        println!(
            "==== {}: {:.1} s",
            suite.name,
            started.elapsed().as_secs_f64()
        );
        if suite.name == "build" {
            built = outcome.is_ok();
            build_failed = outcome.is_err();
        }
        outcomes.push((suite.name, outcome));
    }
    report(&outcomes)
}

fn report(outcomes: &[(&str, Outcome)]) -> Result<()> {
    println!("\n==== test: summary");
    let mut total = Counts::default();
    let mut failures = 0;
    for (name, outcome) in outcomes {
        match outcome {
            Ok(Some(counts)) => {
                println!("  ok      {name:<16} {} tests passed", counts.passed);
                total.passed += counts.passed;
            }
            Ok(None) => println!("  ok      {name}"),
            Err(message) => {
                failures += 1;
                println!(
                    "  FAILED  {name:<16} {}",
                    message.lines().next().unwrap_or("")
                );
                if let Some((passed, failed)) = parse_counts(message) {
                    total.passed += passed;
                    total.failed += failed;
                }
            }
        }
    }
    println!("tests: {} passed, {} failed", total.passed, total.failed);
    if failures == 0 {
        Ok(())
    } else {
        Err(Error::new(format!("{failures} suite(s) failed")))
    }
}

fn parse_counts(message: &str) -> Option<(u32, u32)> {
    let (passed, rest) = message.split_once(" passed, ")?;
    let failed = rest.split_once(" failed")?.0;
    Some((passed.parse().ok()?, failed.parse().ok()?))
}

fn fmt(project: &Project) -> Result<Tally> {
    process::run(project.cargo().args(["fmt", "--all", "--", "--check"]))?;
    Ok(None)
}

fn clippy(project: &Project) -> Result<Tally> {
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

fn doc(project: &Project) -> Result<Tally> {
    process::run(
        project
            .cargo()
            .args(["doc", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    Ok(None)
}

/// `cargo test` natively: doi-core, the Worker's logic, xtask.
fn unit(project: &Project) -> Result<Tally> {
    let (ok, output) = process::run_tee(project.cargo().args(["test", "--workspace"]))?;
    cargo_test_result(ok, &output)
}

/// Each fuzz target for a few seconds: a crash in a parser of outside input
/// fails the run. Longer runs: `cargo xtask fuzz [SECONDS]`.
fn fuzz_smoke(project: &Project) -> Result<Tally> {
    let runs = crate::fuzz::fuzz(project, FUZZ_SMOKE_SECONDS)?;
    let failed = runs.iter().filter(|r| r.crashed).count() as u32;
    Ok(Some(Counts {
        passed: runs.len() as u32 - failed,
        failed,
    }))
}

/// Seconds per target in the smoke run.
const FUZZ_SMOKE_SECONDS: u64 = 5;

fn build_all(project: &Project) -> Result<Tally> {
    build::build(project, Parts::ALL)?;
    Ok(None)
}

/// wasm-bindgen-test in headless Chromium (crates/widget/tests/*.rs).
fn widget_browser(project: &Project) -> Result<Tally> {
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

/// Adds up cargo's `test result:` lines (wasm-bindgen-test prints them too).
fn cargo_test_result(ok: bool, output: &str) -> Result<Tally> {
    let mut counts = Counts::default();
    for line in output
        .lines()
        .filter(|line| line.starts_with("test result:"))
    {
        counts.passed += count_before(line, " passed");
        counts.failed += count_before(line, " failed");
    }
    if !ok && counts.failed == 0 {
        return Err(Error::new("cargo test failed (see above)"));
    }
    Ok(Some(counts))
}

/// The number just before `word` in `line`: ("… 12 passed; …", " passed") → 12.
fn count_before(line: &str, word: &str) -> u32 {
    line.split_once(word)
        .and_then(|(before, _)| before.rsplit(' ').next())
        .and_then(|number| number.parse().ok())
        .unwrap_or(0)
}

/// The Node test runner over `tests/*.spec.mjs`, against a fresh `wrangler
/// dev` (empty KV). The specs find it at `DOI_BASE_URL`; its output goes to
/// `tests/artifacts/wrangler.log` (`DOI_WRANGLER_LOG`), for specs to inspect.
/// Confirmation mails go to a local webhook receiver (`DOI_MAILBOX_URL`).
fn end_to_end(project: &Project) -> Result<Tally> {
    let specs = spec_files(project)?;
    wrangler::ensure_dev_vars(project)?;
    let artifacts = project.path("tests/artifacts");
    fs::create_dir_all(&artifacts)?;
    // Specs list every address they use here; the privacy spec checks them.
    let _ = fs::remove_file(artifacts.join("addresses.txt"));

    // The sender's delivery webhook, up before the Worker that calls it.
    let mailbox = mailbox::start(project, &artifacts.join("mailbox.log"))?;
    let mailbox_url = mailbox.url.clone();

    // "log", not "warn": specs read the Worker's console output in the log.
    let worker = wrangler::start_fresh(project, "wrangler", "log", &[mailbox.worker_var()])?;
    let result = process::run_tee(
        project
            .command(project.npm_bin("node"))
            // One file at a time, in name order: they share one Worker,
            // and zz-privacy.spec.mjs must see every other spec's traces.
            .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
            .args(&specs)
            .env("DOI_BASE_URL", worker.base_url())
            .env("DOI_WRANGLER_LOG", &worker.log)
            .env("DOI_ARTIFACTS", &artifacts)
            .env("DOI_MAILBOX_URL", &mailbox_url),
    );
    println!(
        "wrangler dev (process group {}) logged to {}",
        worker.id(),
        worker.log.display()
    );
    drop(worker);
    drop(mailbox);
    let (ok, output) = result?;
    node_test_result(ok, &output)
}

/// The rate-limit specs (`tests/limits/*.spec.mjs`) against a second fresh
/// `wrangler dev` with the limits of wrangler.toml on: the main run has
/// them off, because its specs send hundreds of requests from 127.0.0.1.
fn end_to_end_limits(project: &Project) -> Result<Tally> {
    let mut specs: Vec<PathBuf> = fs::read_dir(project.path("tests/limits"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.to_string_lossy().ends_with(".spec.mjs"))
        .collect();
    specs.sort();
    let worker = wrangler::start_fresh(
        project,
        "wrangler-limits",
        "warn",
        &["DOI_RATE_LIMITS:on".to_string()],
    )?;
    let (ok, output) = process::run_tee(
        project
            .command(project.npm_bin("node"))
            .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
            .args(&specs)
            .env("DOI_BASE_URL", worker.base_url())
            .env("DOI_ARTIFACTS", project.path("tests/artifacts")),
    )?;
    node_test_result(ok, &output)
}

/// `tests/*.spec.mjs`; with `DOI_SPECS=widget,xss` (a developer's fast
/// loop, never set in CI) only the files whose names contain one of those.
fn spec_files(project: &Project) -> Result<Vec<PathBuf>> {
    #[allow(clippy::disallowed_methods, reason = "unset means every spec")]
    let wanted = env::var("DOI_SPECS").unwrap_or_default();
    let wanted: Vec<&str> = wanted.split(',').filter(|w| !w.is_empty()).collect();
    let mut specs: Vec<PathBuf> = fs::read_dir(project.path("tests"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.to_string_lossy().ends_with(".spec.mjs"))
        .filter(|path| {
            #[allow(
                clippy::disallowed_methods,
                reason = "a read_dir entry always has a file name"
            )]
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            wanted.is_empty() || wanted.iter().any(|w| name.contains(w))
        })
        .collect();
    specs.sort();
    if specs.is_empty() {
        return Err(Error::new("no tests/*.spec.mjs to run (see DOI_SPECS)"));
    }
    Ok(specs)
}

/// Reads the spec reporter's closing `ℹ pass N` / `ℹ fail N` lines.
fn node_test_result(ok: bool, output: &str) -> Result<Tally> {
    let mut counts = Counts::default();
    for line in output.lines() {
        let line = line.trim_start_matches(['ℹ', '#', ' ']);
        if let Some(number) = line.strip_prefix("pass ") {
            counts.passed = number.trim().parse().unwrap_or(0);
        } else if let Some(number) = line.strip_prefix("fail ") {
            counts.failed = number.trim().parse().unwrap_or(0);
        }
    }
    if !ok && counts.failed == 0 {
        return Err(Error::new("node --test failed (see above)"));
    }
    Ok(Some(counts))
}

/// The Worker bundles and validates for deployment, offline, without login.
fn deploy_dry_run(project: &Project) -> Result<Tally> {
    let out = env::temp_dir().join(format!("doi-deploy-dry-run-{}", std::process::id()));
    let result = process::run(
        wrangler::wrangler(project)
            .args(["deploy", "--dry-run", "--outdir"])
            .arg(&out),
    );
    let _ = fs::remove_dir_all(&out);
    result.map(|()| None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_result_lines_are_added_up() {
        let output = "test result: ok. 12 passed; 0 failed; 1 ignored\n\
                      noise\n\
                      test result: FAILED. 3 passed; 2 failed; 0 ignored\n";
        let counts = cargo_test_result(false, output).unwrap().unwrap();
        assert_eq!((counts.passed, counts.failed), (15, 2));
    }

    #[test]
    fn a_failed_cargo_run_without_result_lines_is_an_error() {
        assert!(cargo_test_result(false, "error: could not compile").is_err());
    }

    #[test]
    fn node_spec_summary_is_read() {
        let output = "✔ healthz answers (12ms)\nℹ tests 3\nℹ pass 3\nℹ fail 0\n";
        let counts = node_test_result(true, output).unwrap().unwrap();
        assert_eq!((counts.passed, counts.failed), (3, 0));
    }

    #[test]
    fn summary_messages_give_back_their_counts() {
        assert_eq!(parse_counts("3 passed, 2 failed"), Some((3, 2)));
        assert_eq!(parse_counts("ran no test"), None);
    }
}
