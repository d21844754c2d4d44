//! `cargo xtask bench`: what users feel and what Cloudflare bills, each next
//! to a baseline measured in the same run, written to `bench/results.md`.
//!
//! 1. widget weight per delivery variant, and what the wasm is made of;
//! 2. widget speed over cold loads in headless Chromium, vs a static form;
//! 3. Worker throughput under `wrangler dev` with `wrk`, vs a JS Worker;
//! 4. CPU per operation without KV (Criterion), and the Worker's size;
//!    and each route's CPU as the Worker runs it: wasm in V8 (`wasm`);
//! 5. the data path (check, export, snapshot rebuild) at 1 000 and 10 000.
//!
//! Benchmarks are not tests: no number fails this command. A part that
//! cannot run is reported in the results, and the command fails at the end,
//! after writing them. The browser and HTTP parts are Node scripts in
//! `bench/` that hand their tables over in a small line protocol
//! (`bench/lib.mjs`); this file runs them in order. `report` writes the
//! results, `cpu` runs Criterion, `wasm` the wasm build in Node, `load` runs
//! the servers and wrk.

mod cpu;
mod load;
mod report;
mod startup;
mod wasm;
mod wrk;

use std::fs;
use std::time::Instant;

use crate::build::{self, Parts};
use crate::process;
use crate::project::Project;
use crate::setup::{self, Browser};
use crate::{Error, Result};

use load::Workers;
use report::{parse_sections, Report, Section};

/// The parts, in the order they run.
const PARTS: &[&str] = &["weight", "cpu", "wasm", "speed", "scale", "load"];

pub struct Options {
    pub(crate) quick: bool,
    only: Vec<String>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut options = Options {
            quick: false,
            only: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--only" => {
                    let names = args
                        .next()
                        .ok_or_else(|| Error::new("--only wants a part name"))?;
                    options.only.extend(names.split(',').map(str::to_string));
                }
                other => return Err(Error::new(format!("unknown option `{other}`"))),
            }
        }
        if let Some(name) = options.only.iter().find(|n| !PARTS.contains(&n.as_str())) {
            return Err(Error::new(format!(
                "no part `{name}`; the parts are {}",
                PARTS.join(", ")
            )));
        }
        Ok(options)
    }

    fn selects(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|name| name == part)
    }

    /// Cold loads per page and profile.
    fn loads(&self) -> u32 {
        if self.quick {
            5
        } else {
            20
        }
    }

    /// Seconds of load per route.
    fn seconds(&self) -> u32 {
        if self.quick {
            3
        } else {
            10
        }
    }

    /// Store sizes for the wasm CPU per route.
    fn wasm_sizes(&self) -> &'static str {
        if self.quick {
            "1000,10000"
        } else {
            "1000,10000,100000"
        }
    }

    /// Subscriber counts for the data path.
    fn sizes(&self) -> &'static str {
        if self.quick {
            "500,2000"
        } else {
            "1000,10000"
        }
    }
}

pub fn run(project: &Project, options: Options) -> Result<()> {
    let started = Instant::now();
    setup::run(project, Browser::Needed)?;
    wrk::install(project)?;
    build::build(project, Parts::ALL)?;
    let out = project.path("bench/out");
    fs::create_dir_all(&out)?;

    let mut report = Report::default();
    let mut timings = Vec::new();
    let mut step = |report: &mut Report, name: &str, result: Result<Vec<Section>>| {
        match result {
            Ok(sections) => report.sections.extend(sections),
            Err(error) => {
                eprintln!("bench: {name}: {error}");
                report.problems.push(format!("{name}: {error}"));
            }
        }
        timings.push((name.to_string(), started.elapsed()));
    };
    if options.selects("weight") {
        println!("\n==== bench: widget weight");
        step(&mut report, "widget weight", widget_weight(project));
    }
    if options.selects("cpu") {
        println!("\n==== bench: CPU per operation (Criterion) and Worker size");
        step(
            &mut report,
            "CPU per operation",
            cpu::run(project, &options),
        );
    }
    if options.selects("wasm") {
        println!("\n==== bench: CPU per route as wasm in V8");
        step(
            &mut report,
            "wasm CPU per route",
            wasm::run(project, &options),
        );
        println!("\n==== bench: the Worker's startup");
        step(&mut report, "Worker startup", startup::run(project));
    }
    if options.selects("speed") {
        println!("\n==== bench: widget speed (Chromium)");
        step(&mut report, "widget speed", widget_speed(project, &options));
    }
    let needs_worker = ["scale", "load"].iter().any(|part| options.selects(part));
    if needs_worker {
        match Workers::start(project) {
            Err(error) => step(&mut report, "starting wrangler dev", Err(error)),
            Ok(workers) => {
                if options.selects("scale") {
                    println!("\n==== bench: data path at scale");
                    step(&mut report, "data path", scale(project, &workers, &options));
                }
                if options.selects("load") {
                    println!("\n==== bench: Worker load (wrk)");
                    step(
                        &mut report,
                        "Worker load",
                        load::run(project, &workers, &options),
                    );
                }
            }
        }
    }

    report.elapsed = started.elapsed();
    report.quick = options.quick;
    let text = report.markdown(project);
    // Only a full run replaces the results the README quotes.
    let results = if options.only.is_empty() && !options.quick {
        project.path("bench/results.md")
    } else {
        out.join("results.md")
    };
    fs::write(&results, &text)?;
    println!("\n{text}");
    println!("bench: wrote {}", results.display());
    for (name, at) in &timings {
        println!("  {name:<24} done at {:>5.0} s", at.as_secs_f64());
    }
    println!(
        "bench: {:.1} min in all",
        started.elapsed().as_secs_f64() / 60.0
    );
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "{} part(s) could not be measured: {}",
            report.problems.len(),
            report.problems.join("; ")
        )))
    }
}

/// Runs a bench script and collects the sections it prints (bench/lib.mjs).
fn node_sections(project: &Project, script: &str, args: &[String]) -> Result<Vec<Section>> {
    let (ok, stdout) = process::run_tee(
        project
            .command(project.npm_bin("node"))
            .arg(project.path(script))
            .args(args),
    )?;
    if !ok {
        return Err(Error::new(format!("`node {script}` failed (see above)")));
    }
    Ok(parse_sections(&stdout))
}

// ---------------------------------------------------------------- 1. weight

/// Sizes of the built widget, and its composition from a copy of the wasm
/// that keeps the name section (the same wasm-opt otherwise).
fn widget_weight(project: &Project) -> Result<Vec<Section>> {
    let compiled = project
        .target_dir()
        .join("wasm32-unknown-unknown/release/doi_widget.wasm");
    let names_dir = project.path("bench/out/widget-names");
    let _ = fs::remove_dir_all(&names_dir);
    fs::create_dir_all(&names_dir)?;
    let module = names_dir.join("doi_bg.wasm");
    // -g: keep the names through optimisation.
    process::run(
        project
            .command(project.npm_bin("wasm-opt"))
            .args(crate::build::WIDGET_WASM_OPT)
            .args(["-g", "--strip-producers"])
            .arg(&compiled)
            .arg("-o")
            .arg(&module),
    )?;
    node_sections(
        project,
        "bench/widget-weight.mjs",
        &["--names".into(), module.display().to_string()],
    )
}

// ---------------------------------------------------------------- 2. speed

/// No Worker needed: the widget asks it for nothing before the form is drawn.
fn widget_speed(project: &Project, options: &Options) -> Result<Vec<Section>> {
    node_sections(
        project,
        "bench/widget-speed.mjs",
        &["--loads".into(), options.loads().to_string()],
    )
}

// ---------------------------------------------------------------- 5. scale

fn scale(project: &Project, workers: &Workers, options: &Options) -> Result<Vec<Section>> {
    node_sections(
        project,
        "bench/worker-data.mjs",
        &[
            "scale".into(),
            "--worker".into(),
            workers.rust_url(),
            "--sizes".into(),
            options.sizes().into(),
        ],
    )
}
