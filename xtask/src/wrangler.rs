//! Starting `wrangler dev` the same way for `xtask dev` and the end-to-end
//! tests: loopback only, quiet, explicit ports, local secrets from `.dev.vars`.

use std::env;
use std::fs;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::build;
use crate::process::Server;
use crate::project::Project;
use crate::{Error, Result};

pub const IP: &str = "127.0.0.1";

/// `wrangler <args>` without telemetry, without fetching Cloudflare's request
/// metadata, and without re-running `[build] command` (xtask has built).
pub fn wrangler(project: &Project) -> Command {
    let mut command = project.command(project.npm_bin("wrangler"));
    command
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("X_LOCAL_OBSERVABILITY", "false")
        .env(build::SKIP_ENV, "1");
    command
}

/// `wrangler dev` on `127.0.0.1:port`. `log_level` "warn" is quiet and
/// faster; "log" keeps the Worker's console output.
pub fn dev(project: &Project, port: u16, inspector_port: u16, log_level: &str) -> Command {
    let mut command = wrangler(project);
    command
        .args(["dev", "--ip", IP, "--log-level", log_level])
        .args(["--port", &port.to_string()])
        .args(["--inspector-port", &inspector_port.to_string()]);
    command
}

/// Local secrets for `wrangler dev`: a copy of `.dev.vars.example` unless
/// the developer already has their own `.dev.vars`. A `.dev.vars` from an
/// older clone gets the names the example has gained since (appended with
/// the example's values, and said so); the values it has are never changed.
pub fn ensure_dev_vars(project: &Project) -> Result<()> {
    let vars = project.path(".dev.vars");
    let example = fs::read_to_string(project.path(".dev.vars.example"))?;
    if !vars.exists() {
        println!("copying .dev.vars.example to .dev.vars (local-only secrets)");
        fs::write(vars, example)?;
        return Ok(());
    }
    let mine = fs::read_to_string(&vars)?;
    let names = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
            .collect()
    };
    let have = names(&mine);
    let missing: Vec<&str> = example
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter(|l| {
            l.split_once('=')
                .is_some_and(|(k, _)| !have.contains(&k.trim().to_string()))
        })
        .collect();
    if !missing.is_empty() {
        let added: Vec<&str> = missing
            .iter()
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
            .collect();
        println!(
            ".dev.vars: adding {} from .dev.vars.example",
            added.join(", ")
        );
        let mut text = mine;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("# added by cargo xtask from .dev.vars.example\n");
        for line in missing {
            text.push_str(line);
            text.push('\n');
        }
        fs::write(vars, text)?;
    }
    Ok(())
}

/// A port that was free a moment ago.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind((IP, 0))?.local_addr()?.port())
}

/// Waits until `GET /healthz` answers 200, or fails pointing at the log.
pub fn wait_until_healthy(server: &mut Server, port: u16, log: &Path) -> Result<()> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Some(status) = server.exited() {
            return Err(Error::new(format!(
                "wrangler dev stopped ({status}) before answering; see {}",
                log.display()
            )));
        }
        if healthz_ok(port) {
            println!(
                "wrangler dev is up after {:.1} s",
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        thread::sleep(Duration::from_millis(250));
    }
    Err(Error::new(format!(
        "wrangler dev did not answer /healthz within 120 s; see {}",
        log.display()
    )))
}

fn healthz_ok(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request =
        format!("GET /healthz HTTP/1.1\r\nHost: {IP}:{port}\r\nConnection: close\r\n\r\n");
    let mut response = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut response).is_ok()
        && response.starts_with("HTTP/1.1 200")
}

/// A `wrangler dev` of its own for a test run: a fresh, empty KV in a
/// temporary folder (removed when this is dropped, after the server stops),
/// its output in `tests/artifacts/<name>.log`, answering `/healthz`.
pub struct Fresh {
    server: Option<Server>,
    /// Where it listens on 127.0.0.1.
    pub port: u16,
    /// Its log.
    pub log: PathBuf,
    persist: PathBuf,
}

impl Fresh {
    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{IP}:{}", self.port)
    }

    /// The process group id, for messages.
    pub fn id(&self) -> u32 {
        self.server.as_ref().map_or(0, Server::id)
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        drop(self.server.take());
        let _ = fs::remove_dir_all(&self.persist);
    }
}

/// Starts a fresh `wrangler dev` named `name` (for its log and KV folder)
/// with `vars` (`NAME:value`) and waits until it is healthy.
pub fn start_fresh(
    project: &Project,
    name: &str,
    log_level: &str,
    vars: &[String],
) -> Result<Fresh> {
    ensure_dev_vars(project)?;
    let artifacts = project.path("tests/artifacts");
    fs::create_dir_all(&artifacts)?;
    let log_path = artifacts.join(format!("{name}.log"));
    let log = File::create(&log_path)?;
    let persist = env::temp_dir().join(format!("doi-{name}-kv-{}", std::process::id()));
    let _ = fs::remove_dir_all(&persist);
    let port = free_port()?;
    let mut command = dev(project, port, free_port()?, log_level);
    command.arg("--persist-to").arg(&persist);
    for var in vars {
        command.arg("--var").arg(var);
    }
    // Plain text in the log, so tests can grep it.
    command
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0")
        .stdout(log.try_clone()?)
        .stderr(log);
    let mut fresh = Fresh {
        server: Some(Server::start(&mut command)?),
        port,
        log: log_path,
        persist,
    };
    if let Some(server) = fresh.server.as_mut() {
        wait_until_healthy(server, port, &fresh.log)?;
    }
    Ok(fresh)
}
