//! `cargo xtask bench`: what users feel and what Cloudflare bills, each next
//! to a baseline measured in the same run, written to `bench/results.md`.
//!
//! 1. widget weight per delivery variant, and what the wasm is made of;
//! 2. widget speed over cold loads in headless Chromium, vs a static form;
//! 3. Worker throughput under `wrangler dev` with `wrk`, vs a JS Worker;
//! 4. CPU per operation without KV (Criterion), and the Worker's size;
//! 5. the data path (check, export, snapshot rebuild) at 1 000 and 10 000.
//!
//! Benchmarks are not tests: no number fails this command. A part that
//! cannot run is reported in the results, and the command fails at the end,
//! after writing them. The browser and HTTP parts are Node scripts in
//! `bench/` that hand their tables over in a small line protocol
//! (`bench/lib.mjs`); this file runs them, the servers, Criterion and wrk.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::build::{self, Parts};
use crate::process::{self, output, Server};
use crate::project::Project;
use crate::setup::{self, Browser};
use crate::wrangler::{self, IP};
use crate::{Error, Result};

/// The parts, in the order they run.
const PARTS: &[&str] = &["weight", "cpu", "speed", "scale", "load"];

pub struct Options {
    quick: bool,
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
    wrk_tool(project)?;
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
        step(&mut report, "CPU per operation", cpu(project, &options));
    }
    let needs_worker = ["speed", "scale", "load"]
        .iter()
        .any(|part| options.selects(part));
    if needs_worker {
        match Workers::start(project) {
            Err(error) => step(&mut report, "starting wrangler dev", Err(error)),
            Ok(workers) => {
                if options.selects("speed") {
                    println!("\n==== bench: widget speed (Chromium)");
                    step(
                        &mut report,
                        "widget speed",
                        widget_speed(project, &workers, &options),
                    );
                }
                if options.selects("scale") {
                    println!("\n==== bench: data path at scale");
                    step(&mut report, "data path", scale(project, &workers, &options));
                }
                if options.selects("load") {
                    println!("\n==== bench: Worker load (wrk)");
                    step(
                        &mut report,
                        "Worker load",
                        load(project, &workers, &options),
                    );
                }
            }
        }
    }

    report.elapsed = started.elapsed();
    report.quick = options.quick;
    let text = report.markdown(project);
    let results = project.path("bench/results.md");
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

// ---------------------------------------------------------------- report

/// One section of `bench/results.md`: paragraphs and tables, in order.
#[derive(Default)]
struct Section {
    title: String,
    blocks: Vec<Block>,
}

enum Block {
    Text(String),
    Table(Vec<String>, Vec<Vec<String>>),
}

impl Section {
    fn new(title: &str) -> Section {
        Section {
            title: title.to_string(),
            blocks: Vec::new(),
        }
    }

    fn text(&mut self, line: impl Into<String>) {
        let line = line.into();
        match self.blocks.last_mut() {
            Some(Block::Text(text)) if !line.is_empty() => {
                text.push('\n');
                text.push_str(&line);
            }
            _ => self.blocks.push(Block::Text(line)),
        }
    }

    fn table(&mut self, head: &[&str]) {
        let head = head.iter().map(|cell| cell.to_string()).collect();
        self.blocks.push(Block::Table(head, Vec::new()));
    }

    fn row(&mut self, cells: Vec<String>) {
        if let Some(Block::Table(_, rows)) = self.blocks.last_mut() {
            rows.push(cells);
        }
    }
}

#[derive(Default)]
struct Report {
    sections: Vec<Section>,
    problems: Vec<String>,
    elapsed: Duration,
    quick: bool,
}

impl Report {
    fn markdown(&self, project: &Project) -> String {
        let mut md = String::from("# Dōi benchmarks\n\n");
        let _ = writeln!(
            md,
            "Written by `cargo xtask bench{}` on {}: {}, commit {}. The whole run took \
             {:.1} min. Machines are noisy: read the medians and the ratios to the \
             baselines measured in the same run, not single absolute times.\n",
            if self.quick { " --quick" } else { "" },
            output(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
                .unwrap_or_default()
                .trim(),
            machine(),
            commit(project),
            self.elapsed.as_secs_f64() / 60.0,
        );
        for section in &self.sections {
            let _ = writeln!(md, "## {}\n", section.title);
            for block in &section.blocks {
                match block {
                    Block::Text(text) if text.is_empty() => {}
                    Block::Text(text) => {
                        let _ = writeln!(md, "{text}\n");
                    }
                    Block::Table(head, rows) => {
                        let _ = writeln!(md, "| {} |", head.join(" | "));
                        let _ = writeln!(md, "|{}", "---|".repeat(head.len()));
                        for row in rows {
                            let _ = writeln!(md, "| {} |", row.join(" | "));
                        }
                        md.push('\n');
                    }
                }
            }
        }
        if !self.problems.is_empty() {
            md.push_str("## Not measured in this run\n\n");
            for problem in &self.problems {
                let first = problem.lines().next().unwrap_or("");
                let _ = writeln!(md, "- {first}");
            }
            md.push('\n');
        }
        md
    }
}

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{} cores ({cpu})", cores())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn commit(project: &Project) -> String {
    let git = |args: &[&str]| output(project.command("git").args(args)).unwrap_or_default();
    let head = git(&["rev-parse", "--short", "HEAD"]);
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"])
        .trim()
        .is_empty();
    format!(
        "{}{}",
        head.trim(),
        if dirty {
            " (with uncommitted changes)"
        } else {
            ""
        }
    )
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

/// The sections in a bench program's output (the protocol of bench/lib.mjs).
fn parse_sections(stdout: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for line in stdout.lines() {
        let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
        let cells = || rest.split(" | ").map(str::to_string).collect::<Vec<_>>();
        match (tag, sections.last_mut()) {
            ("@section", _) => sections.push(Section::new(rest)),
            ("@text", Some(section)) => section.text(rest),
            ("@head", Some(section)) => {
                section.blocks.push(Block::Table(cells(), Vec::new()));
            }
            ("@row", Some(section)) => section.row(cells()),
            _ => {}
        }
    }
    sections
}

// ---------------------------------------------------------------- 1. weight

/// Sizes of the built widget, and its composition from a copy of the wasm
/// that keeps the name section (same wasm-bindgen and wasm-opt otherwise).
fn widget_weight(project: &Project) -> Result<Vec<Section>> {
    let compiled = project
        .target_dir()
        .join("wasm32-unknown-unknown/release/doi_widget.wasm");
    let names_dir = project.path("bench/out/widget-names");
    let _ = fs::remove_dir_all(&names_dir);
    process::run(
        project
            .command("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-name", "doi"])
            .arg("--out-dir")
            .arg(&names_dir)
            .arg(&compiled),
    )?;
    let module = names_dir.join("doi_bg.wasm");
    // -g: keep the names through optimisation.
    process::run(
        project
            .command(project.npm_bin("wasm-opt"))
            .args(["-Oz", "-g"])
            .arg(&module)
            .arg("-o")
            .arg(&module),
    )?;
    node_sections(
        project,
        "bench/widget-weight.mjs",
        &["--names".into(), module.display().to_string()],
    )
}

// ---------------------------------------------------------------- 4. CPU

/// Criterion benches of every crate that has them, then the Worker's size.
fn cpu(project: &Project, options: &Options) -> Result<Vec<Section>> {
    let home = project.path("bench/out/criterion");
    let _ = fs::remove_dir_all(&home);
    let (warm_up, measure) = if options.quick {
        ("0.3", "0.7")
    } else {
        ("1", "2")
    };
    let mut benches = vec![("doi-core", "core")];
    if project.path("crates/worker/benches/worker.rs").exists() {
        benches.push(("doi-worker", "worker"));
    }
    // The Worker's bench prints its KV and data-path tables first.
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
    let (routes, operations): (Vec<_>, Vec<_>) =
        medians.iter().partition(|(id, _)| id.starts_with("route/"));
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

// ---------------------------------------------------------------- servers

/// The Rust Worker and the JavaScript baseline, each under its own `wrangler
/// dev` with fresh local KV, on 127.0.0.1. Dropping this stops both.
struct Workers {
    rust: Server,
    rust_port: u16,
    js: Server,
    js_port: u16,
}

impl Workers {
    fn start(project: &Project) -> Result<Workers> {
        println!("\n==== bench: starting the Rust Worker and the JS baseline");
        wrangler::ensure_dev_vars(project)?;
        // The baseline signs and verifies with the same local keys.
        fs::copy(
            project.path(".dev.vars"),
            project.path("bench/baseline-worker/.dev.vars"),
        )?;
        let (rust, rust_port) = start_worker(project, "rust", None)?;
        let (js, js_port) =
            start_worker(project, "js", Some("bench/baseline-worker/wrangler.toml"))?;
        Ok(Workers {
            rust,
            rust_port,
            js,
            js_port,
        })
    }

    fn rust_url(&self) -> String {
        format!("http://{IP}:{}", self.rust_port)
    }

    fn js_url(&self) -> String {
        format!("http://{IP}:{}", self.js_port)
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        println!(
            "bench: stopping wrangler dev (process groups {} and {})",
            self.rust.id(),
            self.js.id()
        );
    }
}

fn start_worker(project: &Project, name: &str, config: Option<&str>) -> Result<(Server, u16)> {
    let out = project.path("bench/out");
    let persist = out.join(format!("kv-{name}"));
    let _ = fs::remove_dir_all(&persist);
    let log_path = out.join(format!("wrangler-{name}.log"));
    let log = File::create(&log_path)?;
    let port = wrangler::free_port()?;
    let mut command = wrangler::dev(project, port, wrangler::free_port()?, "warn");
    if let Some(config) = config {
        command.args(["--config", config]);
    }
    command
        .arg("--persist-to")
        .arg(&persist)
        .env("NO_COLOR", "1")
        .stdout(log.try_clone()?)
        .stderr(log);
    let mut server = Server::start(&mut command)?;
    wrangler::wait_until_healthy(&mut server, port, &log_path)?;
    Ok((server, port))
}

// ---------------------------------------------------------------- 2. speed

fn widget_speed(project: &Project, workers: &Workers, options: &Options) -> Result<Vec<Section>> {
    node_sections(
        project,
        "bench/widget-speed.mjs",
        &[
            "--worker".into(),
            workers.rust_url(),
            "--loads".into(),
            options.loads().to_string(),
        ],
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

// ---------------------------------------------------------------- 3. load

/// One route under load.
struct Route {
    label: &'static str,
    script: &'static str,
    check_body: Option<&'static str>,
    /// Also run against the JavaScript baseline.
    baseline: bool,
}

const ROUTES: &[Route] = &[
    Route {
        label: "`GET /u/{token}` unsubscribe page",
        script: "bench/wrk/unsubscribe-page.lua",
        check_body: None,
        baseline: true,
    },
    Route {
        label: "`POST /u/{token}` RFC 8058 one-click",
        script: "bench/wrk/one-click.lua",
        check_body: None,
        baseline: true,
    },
    Route {
        label: "`POST /v1/subscribe` (whitepaper form)",
        script: "bench/wrk/subscribe.lua",
        check_body: None,
        baseline: false,
    },
    Route {
        label: "`POST /v1/check`, 100 addresses",
        script: "bench/wrk/check.lua",
        check_body: Some("check-100.json"),
        baseline: false,
    },
    Route {
        label: "`POST /v1/check`, 500 addresses",
        script: "bench/wrk/check.lua",
        check_body: Some("check-500.json"),
        baseline: false,
    },
];

/// What one wrk run reported (bench/wrk/common.lua).
struct Wrk {
    requests: f64,
    seconds: f64,
    p50: f64,
    p99: f64,
    non_2xx: f64,
    socket_errors: f64,
}

impl Wrk {
    fn rate(&self) -> f64 {
        self.requests / self.seconds
    }

    fn parse(stdout: &str) -> Option<Wrk> {
        let line = stdout.lines().find_map(|l| l.strip_prefix("@wrk "))?;
        let value = |key: &str| {
            line.split(' ')
                .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
                .and_then(|v| v.parse::<f64>().ok())
        };
        Some(Wrk {
            requests: value("requests")?,
            seconds: value("seconds")?,
            p50: value("p50_ms")?,
            p99: value("p99_ms")?,
            non_2xx: value("non2xx")?,
            socket_errors: value("socket_errors")?,
        })
    }
}

fn load(project: &Project, workers: &Workers, options: &Options) -> Result<Vec<Section>> {
    let data = project.path("bench/out/load");
    let tokens = options
        .sizes()
        .rsplit(',')
        .next()
        .unwrap_or("1000")
        .to_string();
    process::run(
        project
            .command(project.npm_bin("node"))
            .arg(project.path("bench/worker-data.mjs"))
            .args([
                "prepare",
                "--worker",
                &workers.rust_url(),
                "--tokens",
                &tokens,
            ])
            .arg("--out")
            .arg(&data),
    )?;
    let connections = 2 * cores();
    let seconds = options.seconds();
    let mut section = Section::new("3. Worker throughput under `wrangler dev`");
    section.text(format!(
        "`wrk` from a second process on 127.0.0.1: one thread, {connections} connections \
         (2 per core), {seconds} s per route after 1 s of warm-up, each Worker under its \
         own `wrangler dev` (quiet flags, fresh local KV). The baseline is a minimal \
         JavaScript Worker (`bench/baseline-worker/`) doing the same KV operations for \
         the unsubscribe routes: verify the link's HMAC with WebCrypto, read the \
         snapshot, list the events, put an event, put the snapshot. Every one-click \
         request unsubscribes a different seeded subscriber. Goal: Rust ≥ 1.0× JS."
    ));
    section.table(&[
        "route",
        "Rust req/s",
        "p50",
        "p99",
        "non-2xx",
        "JS req/s",
        "JS p50",
        "JS p99",
        "Rust/JS",
    ]);
    for route in ROUTES {
        let rust = wrk(
            project,
            &workers.rust_url(),
            route,
            &data,
            connections,
            seconds,
        )?;
        let js = if route.baseline {
            Some(wrk(
                project,
                &workers.js_url(),
                route,
                &data,
                connections,
                seconds,
            )?)
        } else {
            None
        };
        let (js_rate, js_p50, js_p99, ratio) = match &js {
            Some(js) => (
                format!("{:.0}", js.rate()),
                format!("{:.1} ms", js.p50),
                format!("{:.1} ms", js.p99),
                format!("**{:.2}×**", rust.rate() / js.rate()),
            ),
            None => ("–".into(), "–".into(), "–".into(), "–".into()),
        };
        section.row(vec![
            route.label.into(),
            format!("{:.0}", rust.rate()),
            format!("{:.1} ms", rust.p50),
            format!("{:.1} ms", rust.p99),
            format!("{:.0}", rust.non_2xx + rust.socket_errors),
            js_rate,
            js_p50,
            js_p99,
            ratio,
        ]);
    }
    Ok(vec![section])
}

/// Warms `route` up for a second, then loads it for `seconds`.
fn wrk(
    project: &Project,
    base: &str,
    route: &Route,
    data: &Path,
    connections: usize,
    seconds: u32,
) -> Result<Wrk> {
    let run = |seconds: u32| -> Result<String> {
        let mut command = project.command("wrk");
        command
            .args(["--threads", "1", "--connections", &connections.to_string()])
            .args(["--duration", &format!("{seconds}s"), "--timeout", "10s"])
            .args(["--script", route.script])
            .arg(base)
            .env("DOI_BENCH_DATA", data);
        if let Some(body) = route.check_body {
            command.env("DOI_CHECK_BODY", body);
        }
        let (ok, stdout) = process::run_tee(&mut command)?;
        if ok {
            Ok(stdout)
        } else {
            Err(Error::new(format!("wrk against {base} failed")))
        }
    };
    run(1)?;
    let stdout = run(seconds)?;
    Wrk::parse(&stdout).ok_or_else(|| {
        Error::new(format!(
            "no `@wrk` line in wrk's output for {}",
            route.label
        ))
    })
}

/// wrk from Debian, installed like Chromium when missing and we may.
fn wrk_tool(project: &Project) -> Result<()> {
    // `wrk --version` prints its version and usage, and exits with 1.
    let found = Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).starts_with("wrk"));
    if found {
        println!("setup: wrk: present");
        return Ok(());
    }
    let root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    if !root || !Path::new("/etc/debian_version").exists() {
        return Err(Error::new(
            "wrk is needed for the Worker load test. Install it (Debian: \
             `sudo apt-get install wrk`), then run `cargo xtask bench` again.",
        ));
    }
    println!("setup: wrk: installing with apt-get");
    process::run(project.command("apt-get").args(["update", "-q"]))?;
    process::run(
        project
            .command("apt-get")
            .args(["install", "-y", "-q", "wrk"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}
