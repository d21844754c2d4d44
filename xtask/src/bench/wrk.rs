//! wrk, the load generator of part 3: one run against one Worker, what it
//! reported (bench/wrk/common.lua), and the median of a comparison's
//! rounds. Installed from Debian when missing.

use std::path::Path;
use std::process::Command;

use super::load::Route;
use crate::process::{self, output};
use crate::project::Project;
use crate::{Error, Result};

/// What one wrk run reported (bench/wrk/common.lua).
pub struct Wrk {
    requests: f64,
    seconds: f64,
    pub p50: f64,
    pub p99: f64,
    pub non_2xx: f64,
    pub socket_errors: f64,
}

impl Wrk {
    pub fn rate(&self) -> f64 {
        self.requests / self.seconds
    }

    /// The request rate of `runs` taken together over that of `others`:
    /// all their requests over all their seconds, so a longer run counts
    /// for more and no run's rate is averaged with another's.
    pub fn ratio(runs: &[&Wrk], others: &[&Wrk]) -> f64 {
        let rate = |runs: &[&Wrk]| {
            runs.iter().map(|r| r.requests).sum::<f64>()
                / runs.iter().map(|r| r.seconds).sum::<f64>()
        };
        rate(runs) / rate(others)
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

/// Rounds of each Rust-against-JS comparison.
pub const ROUNDS: usize = 3;

/// Tokens one round may use up (a one-click round makes a few hundred
/// requests; part 5 seeds 10,000 in a full run).
pub const TOKENS_PER_ROUND: usize = 3000;

/// The median of `values`.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The run with the median request rate.
pub fn median_run(mut runs: Vec<&Wrk>) -> Option<&Wrk> {
    runs.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
    runs.get(runs.len() / 2).copied()
}

/// Warms `route` up for a second, then loads it for `seconds`; one-click
/// tokens start at `offset`.
pub fn run(
    project: &Project,
    base: &str,
    route: &Route,
    data: &Path,
    connections: usize,
    seconds: u32,
    offset: usize,
) -> Result<Wrk> {
    let run = |seconds: u32| -> Result<String> {
        let mut command = project.command("wrk");
        command
            .args(["--threads", "1", "--connections", &connections.to_string()])
            .args(["--duration", &format!("{seconds}s"), "--timeout", "10s"])
            .args(["--script", route.script])
            .arg(base)
            .env("DOI_BENCH_DATA", data)
            .env("DOI_TOKEN_OFFSET", offset.to_string());
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
pub fn install(project: &Project) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::Wrk;

    fn run(requests: f64, seconds: f64) -> Wrk {
        Wrk {
            requests,
            seconds,
            p50: 0.0,
            p99: 0.0,
            non_2xx: 0.0,
            socket_errors: 0.0,
        }
    }

    #[test]
    fn a_rounds_ratio_pools_its_runs_requests_and_seconds() {
        // Rust 100 then 300 req/s, JS 200 req/s twice: pooled, 1.0×; the
        // mean of the two runs' ratios would say the same here, but not when
        // the runs differ in length.
        let (r1, r2, j1, j2) = (
            run(500.0, 5.0),
            run(1500.0, 5.0),
            run(1000.0, 5.0),
            run(1000.0, 5.0),
        );
        assert!((Wrk::ratio(&[&r1, &r2], &[&j1, &j2]) - 1.0).abs() < 1e-12);
        let (long, short) = (run(1000.0, 10.0), run(300.0, 1.0));
        assert!((Wrk::ratio(&[&long, &short], &[&j1]) - (1300.0 / 11.0) / 200.0).abs() < 1e-12);
    }

    #[test]
    fn the_result_line_is_read_back() {
        let w = Wrk::parse(
            "noise\n@wrk requests=1200 seconds=10.000 p50_ms=3.5 p90_ms=5 p99_ms=9.25 non2xx=2 socket_errors=0\n",
        )
        .unwrap();
        assert_eq!(w.rate(), 120.0);
        assert_eq!((w.p50, w.p99, w.non_2xx), (3.5, 9.25, 2.0));
        assert!(Wrk::parse("no result line").is_none());
    }
}
