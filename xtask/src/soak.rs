//! `cargo xtask soak [SECONDS]`: a bounded load against a fresh `wrangler
//! dev` on 127.0.0.1 (tests/soak/soak.mjs: concurrent sign-ups, one-click
//! unsubscribes and preference saves), then an accounting through the
//! export and `/v1/check`. Fails if any accepted request is lost or any
//! valid request got a 5xx. The figures go in the README's "Reliability".

use std::env;
use std::fs::{self, File};

use crate::build::{self, Parts};
use crate::process::{self, Server};
use crate::project::Project;
use crate::setup::{self, Browser};
use crate::wrangler::{self, IP};
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
    wrangler::ensure_dev_vars(project)?;
    let artifacts = project.path("tests/artifacts");
    fs::create_dir_all(&artifacts)?;
    let log_path = artifacts.join("soak-wrangler.log");
    let log = File::create(&log_path)?;
    let persist = env::temp_dir().join(format!("doi-soak-kv-{}", std::process::id()));
    let _ = fs::remove_dir_all(&persist);
    let port = wrangler::free_port()?;
    let mut server = Server::start(
        wrangler::dev(project, port, wrangler::free_port()?, "warn")
            .arg("--persist-to")
            .arg(&persist)
            // The soak is many clients on one address: limits would refuse it.
            .args(["--var", "DOI_RATE_LIMITS:off"])
            .stdout(log.try_clone()?)
            .stderr(log),
    )?;
    let result = wrangler::wait_until_healthy(&mut server, port, &log_path).and_then(|()| {
        process::run(
            project
                .command(project.npm_bin("node"))
                .arg(project.path("tests/soak/soak.mjs"))
                .env("DOI_BASE_URL", format!("http://{IP}:{port}"))
                .env("DOI_SOAK_SECONDS", seconds.to_string()),
        )
    });
    drop(server);
    let _ = fs::remove_dir_all(&persist);
    result.map_err(|e| {
        Error::new(format!(
            "soak failed: {e} (wrangler log: {})",
            log_path.display()
        ))
    })
}
