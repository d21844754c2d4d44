//! `cargo xtask`: installs the tools, builds the widget and the Worker, runs
//! the dev server and every test suite. Plain Rust with one small dependency
//! (zopfli, for the widget's download), so it builds in seconds and works the
//! same on a laptop and in CI.

mod bench;
mod build;
mod dev;
mod fuzz;
mod mailbox;
mod process;
mod project;
mod setup;
mod soak;
mod test;
#[cfg(test)]
mod tidy;
mod wrangler;

use std::fmt;
use std::process::ExitCode;

use project::Project;

const USAGE: &str = "\
usage: cargo xtask <command>

  setup                  install what is missing (wasm target, wasm-bindgen-cli,
                         worker-build, npm packages with Node 22, Chromium)
  build [widget|worker]  build the widget into www/dist and the Worker into
                         crates/worker/build (both when no part is named)
  dev [--port N]         setup, build, then `wrangler dev` on 127.0.0.1:8787
  bench [--quick]        measure the widget and the Worker next to baselines and
       [--only PART]...  write bench/results.md (bench/out/ when quick or
                         partial). Parts: weight, cpu, speed, scale, load
  fuzz [SECONDS]         run every fuzz target for SECONDS each (default 60)
  soak [SECONDS]         load a fresh wrangler dev for SECONDS (default 120),
       [--no-build]      then account for every accepted request
  test [--only SUITE]... setup, then every suite; fails if any fails or runs
       [--no-build]      no test. Suites: fmt, clippy, doc, unit,
                         fuzz-smoke, build,
                         widget-browser, e2e, e2e-limits, e2e-access,
                         deploy-dry-run
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => {
            print!("{USAGE}");
            return Ok(());
        }
    };
    let project = Project::locate()?;
    process::survive_ctrl_c();
    match command {
        "setup" => setup::run(&project, setup::Browser::Needed),
        "build" => build::run(&project, build::Parts::parse(rest)?),
        "dev" => dev::run(&project, dev::Options::parse(rest)?),
        "test" => test::run(&project, test::Options::parse(rest)?),
        "fuzz" => fuzz::run(&project, rest),
        "soak" => soak::run(&project, rest),
        "bench" => bench::run(&project, bench::Options::parse(rest)?),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(Error::new(format!("unknown command `{other}`\n\n{USAGE}"))),
    }
}

/// An error for a person to read: what failed and, where we know, what to do.
#[derive(Debug)]
pub struct Error(String);

impl Error {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Error(error.to_string())
    }
}

/// What every step of xtask returns.
pub type Result<T> = std::result::Result<T, Error>;
