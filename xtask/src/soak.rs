//! `cargo xtask soak [SECONDS]`: a bounded load against a fresh `wrangler
//! dev` on 127.0.0.1 (tests/soak/soak.mjs: concurrent sign-ups, one-click
//! unsubscribes and preference saves), then an accounting through the
//! export and `/v1/check`. Fails if any accepted request is lost or any
//! valid request got a 5xx. The figures go in the README's "Reliability".

use crate::build::{self, Parts};
use crate::process;
use crate::project::Project;
use crate::setup::{self, Browser};
use crate::wrangler;
use crate::{Error, Result};

/// Seconds of load when none are given.
const DEFAULT_SECONDS: u64 = 120;

pub fn run(project: &Project, args: &[String]) -> Result<()> {
    let mut seconds = DEFAULT_SECONDS;
    let mut no_build = false;
    for arg in args {
        match arg.as_str() {
            "--no-build" => no_build = true,
            s => {
                seconds = s
                    .parse()
                    .map_err(|_| Error::new(format!("soak: `{s}` is not a number of seconds")))?
            }
        }
    }
    setup::run(project, Browser::NotNeeded)?;
    if !no_build {
        build::build(project, Parts::ALL)?;
    }
    // The soak is many clients on one address: limits would refuse it.
    let worker = wrangler::start_fresh(
        project,
        "soak-wrangler",
        "warn",
        &["DOI_RATE_LIMITS:off".to_string()],
    )?;
    process::run(
        project
            .command(project.npm_bin("node"))
            .arg(project.path("tests/soak/soak.mjs"))
            .env("DOI_BASE_URL", worker.base_url())
            .env("DOI_SOAK_SECONDS", seconds.to_string()),
    )
    .map_err(|e| {
        Error::new(format!(
            "soak failed: {e} (wrangler log: {})",
            worker.log.display()
        ))
    })
}
