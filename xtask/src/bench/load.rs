//! Part 3: the Rust Worker and the JavaScript baseline under `wrangler dev`,
//! loaded with wrk, then profiled. The Rust Worker is shared with parts 2
//! and 5; the baseline starts here on a copy of the Rust Worker's KV, so
//! both read and list the same data.

use std::fs::{self, File};
use std::process::Command;

use super::report::{cores, Section};
use super::wrk::{self, median, median_run, Wrk, ROUNDS, TOKENS_PER_ROUND};
use super::{node_sections, Options};
use crate::process::{self, Server};
use crate::project::Project;
use crate::wrangler::{self, IP};
use crate::Result;

/// The Rust Worker under `wrangler dev` with fresh local KV, on 127.0.0.1.
/// Dropping this stops it.
pub struct Workers {
    rust: Server,
    rust_port: u16,
    rust_inspector: u16,
}

impl Workers {
    pub fn start(project: &Project) -> Result<Workers> {
        println!("\n==== bench: starting the Rust Worker");
        wrangler::ensure_dev_vars(project)?;
        let (rust, rust_port, rust_inspector) = start_worker(project, "rust", None)?;
        Ok(Workers {
            rust,
            rust_port,
            rust_inspector,
        })
    }

    pub fn rust_url(&self) -> String {
        format!("http://{IP}:{}", self.rust_port)
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        println!(
            "bench: stopping wrangler dev (process group {})",
            self.rust.id()
        );
    }
}

/// The JavaScript baseline, on a copy of the Rust Worker's KV as it is now
/// (same subscribers, snapshots and event keys), with the same local keys
/// and the Rust Worker's pages.
struct Baseline {
    server: Server,
    port: u16,
    inspector: u16,
}

impl Baseline {
    fn start(project: &Project) -> Result<Baseline> {
        println!("\n==== bench: starting the JS baseline on a copy of the Rust Worker's KV");
        fs::copy(
            project.path(".dev.vars"),
            project.path("bench/baseline-worker/.dev.vars"),
        )?;
        // The Rust Worker's pages, which the baseline answers with
        // (`bench/worker-data.mjs prepare` wrote them).
        fs::copy(
            project.path("bench/out/load/baseline-pages.json"),
            project.path("bench/baseline-worker/pages.json"),
        )?;
        let out = project.path("bench/out");
        let copy = out.join("kv-js");
        let _ = fs::remove_dir_all(&copy);
        process::run(
            Command::new("cp")
                .arg("-R")
                .arg(out.join("kv-rust"))
                .arg(&copy),
        )?;
        let config = "bench/baseline-worker/wrangler.toml";
        let (server, port, inspector) = start_worker(project, "js", Some(config))?;
        Ok(Baseline {
            server,
            port,
            inspector,
        })
    }

    fn url(&self) -> String {
        format!("http://{IP}:{}", self.port)
    }
}

impl Drop for Baseline {
    fn drop(&mut self) {
        println!(
            "bench: stopping the JS baseline (process group {})",
            self.server.id()
        );
    }
}

/// A `wrangler dev` for one Worker: the server, its port and its inspector's.
fn start_worker(project: &Project, name: &str, config: Option<&str>) -> Result<(Server, u16, u16)> {
    let out = project.path("bench/out");
    let persist = out.join(format!("kv-{name}"));
    if config.is_none() {
        let _ = fs::remove_dir_all(&persist);
    }
    let log_path = out.join(format!("wrangler-{name}.log"));
    let log = File::create(&log_path)?;
    let port = wrangler::free_port()?;
    let inspector = wrangler::free_port()?;
    let mut command = wrangler::dev(project, port, inspector, "warn");
    match config {
        Some(config) => command.args(["--config", config]),
        // One client on one address: the per-client limits would refuse
        // the load; they are the limiter's cost, not the Worker's.
        None => command.args(["--var", "DOI_RATE_LIMITS:off"]),
    };
    command
        .arg("--persist-to")
        .arg(&persist)
        .env("NO_COLOR", "1")
        .stdout(log.try_clone()?)
        .stderr(log);
    let mut server = Server::start(&mut command)?;
    wrangler::wait_until_healthy(&mut server, port, &log_path)?;
    Ok((server, port, inspector))
}

/// One route under load.
pub struct Route {
    pub label: &'static str,
    pub script: &'static str,
    pub check_body: Option<&'static str>,
    /// Also run against the JavaScript baseline.
    baseline: bool,
    /// The comparison's other side is the Rust Worker again: an A/A run,
    /// whose ratio is the noise floor of the comparisons beside it.
    against_itself: bool,
}

const ROUTES: &[Route] = &[
    Route {
        label: "`GET /healthz` (no KV: the fixed cost of a request)",
        script: "bench/wrk/healthz.lua",
        check_body: None,
        baseline: true,
        against_itself: false,
    },
    Route {
        label: "`GET /healthz`, the Rust Worker against itself (the noise floor: nothing to find)",
        script: "bench/wrk/healthz.lua",
        check_body: None,
        baseline: true,
        against_itself: true,
    },
    Route {
        label: "`GET /u/{token}` unsubscribe page",
        script: "bench/wrk/unsubscribe-page.lua",
        check_body: None,
        baseline: true,
        against_itself: false,
    },
    Route {
        label: "`POST /u/{token}` RFC 8058 one-click",
        script: "bench/wrk/one-click.lua",
        check_body: None,
        baseline: true,
        against_itself: false,
    },
    Route {
        label: "`POST /v1/subscribe` (whitepaper form)",
        script: "bench/wrk/subscribe.lua",
        check_body: None,
        baseline: false,
        against_itself: false,
    },
    Route {
        label: "`POST /v1/check`, 100 addresses",
        script: "bench/wrk/check.lua",
        check_body: Some("check-100.json"),
        baseline: false,
        against_itself: false,
    },
    Route {
        label: "`POST /v1/check`, the most a call takes (`limits::CHECK_BATCH`)",
        script: "bench/wrk/check.lua",
        check_body: Some("check-max.json"),
        baseline: false,
        against_itself: false,
    },
];

pub fn run(project: &Project, workers: &Workers, options: &Options) -> Result<Vec<Section>> {
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
    let baseline = Baseline::start(project)?;
    let connections = 2 * cores();
    let seconds = options.seconds();
    let mut section = Section::new("3. Worker throughput under `wrangler dev`");
    section.text(format!(
        "`wrk` from a second process on 127.0.0.1: one thread, {connections} connections \
         (2 per core), after 1 s of warm-up, each Worker under its own `wrangler dev` \
         (quiet flags, per-client rate limits off). The Rust Worker holds the \
         subscribers part 5 seeded; the baseline, a minimal JavaScript Worker \
         (`bench/baseline-worker/`), runs on a copy of that KV and does the same job on \
         the unsubscribe routes: verify the link's HMAC with WebCrypto, read the \
         snapshot, put the repair mark, read the pulse, sign a consent receipt \
         (Ed25519, WebCrypto), put the event with it, read the snapshot again, put it, \
         read it back, log one line (4 reads + 3 writes, as the Rust Worker's \
         one-click); on both routes it signs a preferences link (HMAC) and answers \
         with the Rust Worker's own page (taken from it at the start, the links filled \
         in per request) and the same security headers. Both get the same \
         links; every one-click request unsubscribes a different subscriber. Both \
         Workers sit behind the same static-assets router (`[assets]` in both \
         wrangler.toml files). Against the baseline each route runs three rounds, \
         each in the order Rust, JS, JS, Rust with {seconds} s per run (so that a \
         machine drifting during a round weighs on both alike): the rates and \
         latencies are the median run's, Rust/JS the median of the three rounds' \
         ratios (each in brackets; a round's ratio is its Rust runs' requests over \
         its JS runs'). The row \"against itself\" runs the same rounds with the Rust \
         Worker in both places: how far its ratio strays from 1.00 is how far a \
         round moves with no difference to find. The other routes run once. \
         Goal: Rust ≥ 1.0× JS."
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
        // Against the baseline: three rounds, each in the order Rust, JS,
        // JS, Rust, and its ratio the Rust runs'
        // requests over the JS runs'. A machine that slows down or speeds up
        // steadily during a round (a compaction of the local KV, another
        // process) then weighs on both alike; with one run each, a round
        // read the drift as a difference between the Workers (the same
        // Worker measured twice in a row differed by up to 15 %). Each run's
        // one-click requests take tokens no earlier run took.
        let mut rust_runs = Vec::new();
        let mut js_runs = Vec::new();
        let mut ratios = Vec::new();
        let load = |base: &str, seconds, offset| {
            wrk::run(project, base, route, &data, connections, seconds, offset)
        };
        let other = if route.against_itself {
            workers.rust_url()
        } else {
            baseline.url()
        };
        if route.baseline {
            for round in 0..ROUNDS {
                let first = round * TOKENS_PER_ROUND;
                let second = first + TOKENS_PER_ROUND / 2;
                let r1 = load(&workers.rust_url(), seconds, first)?;
                let j1 = load(&other, seconds, first)?;
                let j2 = load(&other, seconds, second)?;
                let r2 = load(&workers.rust_url(), seconds, second)?;
                ratios.push(Wrk::ratio(&[&r1, &r2], &[&j1, &j2]));
                rust_runs.extend([r1, r2]);
                js_runs.extend([j1, j2]);
            }
        } else {
            rust_runs.push(load(&workers.rust_url(), seconds, 0)?);
        }
        let rust = median_run(rust_runs.iter().collect());
        let (js_rate, js_p50, js_p99, ratio) = match median_run(js_runs.iter().collect()) {
            Some(js) => {
                let each: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
                (
                    format!("{:.0}", js.rate()),
                    format!("{:.1} ms", js.p50),
                    format!("{:.1} ms", js.p99),
                    format!("**{:.2}×** ({})", median(ratios.clone()), each.join(" · ")),
                )
            }
            None => ("–".into(), "–".into(), "–".into(), "–".into()),
        };
        let Some(rust) = rust else {
            continue;
        };
        let errors: f64 = rust_runs.iter().map(|r| r.non_2xx + r.socket_errors).sum();
        section.row(vec![
            route.label.into(),
            format!("{:.0}", rust.rate()),
            format!("{:.1} ms", rust.p50),
            format!("{:.1} ms", rust.p99),
            format!("{errors:.0}"),
            js_rate,
            js_p50,
            js_p99,
            ratio,
        ]);
    }
    let profile = node_sections(
        project,
        "bench/worker-profile.mjs",
        &[
            "--rust".into(),
            workers.rust_url(),
            "--rust-inspector".into(),
            workers.rust_inspector.to_string(),
            "--js".into(),
            baseline.url(),
            "--js-inspector".into(),
            baseline.inspector.to_string(),
            "--seconds".into(),
            options.seconds().min(4).to_string(),
        ],
    );
    // The profile explains the table; without it the table still stands.
    match profile {
        Ok(profile) => Ok(std::iter::once(section).chain(profile).collect()),
        Err(error) => {
            section.text(format!(
                "(The isolate profile could not be taken: {error}.)"
            ));
            Ok(vec![section])
        }
    }
}
