//! `cargo xtask test`: every suite the project has, in one list. Fails if a
//! suite fails or a test runner ran no test. `--only SUITE` for a fast loop.

use std::time::Instant;

use crate::build::{self, Parts};
use crate::process;
use crate::project::Project;
use crate::setup::{self, Browser};
use crate::{Error, Result};

mod cargo;
mod e2e;
mod tally;

use cargo::{build_all, clippy, doc, fmt, fuzz_smoke, unit, widget_browser};
use e2e::{deploy_dry_run, end_to_end, end_to_end_access, end_to_end_limits};
use tally::parse_counts;

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
    // The console behind Cloudflare Access (issue 13).
    Suite {
        name: "e2e-access",
        needs_build: true,
        run: end_to_end_access,
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
