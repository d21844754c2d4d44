//! `cargo xtask fuzz [SECONDS]`: every libFuzzer target in `fuzz/`, each for
//! a bounded time, on the stable toolchain (RUSTC_BOOTSTRAP lets it take the
//! instrumentation flags, so no nightly download is needed). A crash fails
//! the run and leaves its input in `fuzz/artifacts/<target>/`; turn it into a
//! regression test beside the code it broke.

use std::fs;
use std::time::Instant;

use crate::process;
use crate::project::Project;
use crate::setup;
use crate::{Error, Result};

/// One target's run.
pub struct Run {
    pub target: String,
    pub executions: u64,
    pub crashed: bool,
}

/// The targets listed in fuzz/Cargo.toml.
fn targets(project: &Project) -> Result<Vec<String>> {
    let manifest = fs::read_to_string(project.path("fuzz/Cargo.toml"))?;
    Ok(manifest
        .lines()
        .filter(|line| line.starts_with("name = ") && !line.contains("doi-fuzz"))
        .filter_map(|line| line.split('"').nth(1).map(str::to_string))
        .collect())
}

fn fuzz_command(project: &Project) -> std::process::Command {
    let mut command = project.cargo();
    command
        .current_dir(project.path("fuzz"))
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("CARGO_TARGET_DIR")
        .args(["fuzz"]);
    command
}

/// Builds every target, then runs each for `seconds`.
pub fn fuzz(project: &Project, seconds: u64) -> Result<Vec<Run>> {
    setup::cargo_fuzz(project)?;
    process::run(fuzz_command(project).args(["build", "--sanitizer", "none", "--release"]))?;
    let mut runs = Vec::new();
    for target in targets(project)? {
        let corpus = project.path(&format!("fuzz/corpus/{target}"));
        fs::create_dir_all(&corpus)?;
        if let Ok(seeds) = fs::read_dir(project.path(&format!("fuzz/corpus-seeds/{target}"))) {
            for seed in seeds.flatten() {
                fs::copy(seed.path(), corpus.join(seed.file_name()))?;
            }
        }
        let started = Instant::now();
        let mut command = fuzz_command(project);
        command
            .args(["run", "--sanitizer", "none", "--release", &target])
            .arg(&corpus)
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-print_final_stats=1",
            ]);
        println!("$ {}", process::show(&command));
        // libFuzzer reports on stderr; keep it to read the statistics.
        let out = command.output()?;
        let ok = out.status.success();
        let output = String::from_utf8_lossy(&out.stderr);
        if !ok {
            eprintln!("{output}");
        }
        let executions = output
            .lines()
            .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        println!(
            "fuzz: {target}: {executions} executions in {:.0} s, {}",
            started.elapsed().as_secs_f64(),
            if ok { "no crash" } else { "CRASHED" }
        );
        runs.push(Run {
            target,
            executions,
            crashed: !ok,
        });
    }
    Ok(runs)
}

pub fn run(project: &Project, args: &[String]) -> Result<()> {
    let seconds = match args.first() {
        Some(s) => s
            .parse()
            .map_err(|_| Error::new(format!("fuzz: `{s}` is not a number of seconds")))?,
        None => 60,
    };
    let runs = fuzz(project, seconds)?;
    println!("\n| target | executions | crashes |\n|---|---:|---:|");
    for r in &runs {
        println!(
            "| {} | {} | {} |",
            r.target,
            r.executions,
            u8::from(r.crashed)
        );
    }
    let crashed: Vec<&str> = runs
        .iter()
        .filter(|r| r.crashed)
        .map(|r| r.target.as_str())
        .collect();
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "fuzz: {} crashed; inputs are in fuzz/artifacts/",
            crashed.join(", ")
        )))
    }
}
