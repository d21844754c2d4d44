//! The local inbox, the stand-in for the sender's mail system:
//! `tools/inbox/main.mjs`, a small Node program on 127.0.0.1 that receives
//! the Worker's signed confirmation-mail webhooks (listed raw at `GET
//! /messages`) and accepts SMTP, and shows every mail as its recipient would
//! see it, with the one-click button a mail client offers. `cargo xtask
//! test` points the Worker at it; so does `cargo xtask dev`, so that a
//! newcomer can try double opt-in and a test campaign without an account
//! anywhere.

use std::fs::File;
use std::net::TcpStream;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::process::Server;
use crate::project::Project;
use crate::wrangler::{self, IP};
use crate::{Error, Result};

/// A running mailbox and where it is.
pub struct Mailbox {
    /// The process, stopped when the mailbox is dropped.
    _server: Server,
    /// `http://127.0.0.1:PORT`: the pages, the webhook and the JSON.
    pub url: String,
    /// Its SMTP port on 127.0.0.1.
    pub smtp_port: u16,
}

impl Mailbox {
    /// The `--var` that points the Worker's webhook delivery here.
    pub fn worker_var(&self) -> String {
        format!("DOI_WEBHOOK_URL:{}/hook", self.url)
    }

    /// The `--var` that points the Worker's Turnstile checks (siteverify and
    /// the client script) at the inbox's stand-in (tools/inbox/turnstile.mjs).
    pub fn turnstile_var(&self) -> String {
        format!("DOI_TURNSTILE_LOOPBACK:{}", self.url)
    }
}

/// Starts the inbox on two free ports, logging to `log`.
pub fn start(project: &Project, log: &Path) -> Result<Mailbox> {
    let port = wrangler::free_port()?;
    let smtp_port = wrangler::free_port()?;
    let log = File::create(log)?;
    let mut server = Server::start(
        project
            .command(project.npm_bin("node"))
            .arg(project.path("tools/inbox/main.mjs"))
            .arg(port.to_string())
            .arg(smtp_port.to_string())
            .stdout(log.try_clone()?)
            .stderr(log),
    )?;
    // SMTP listens first: once HTTP does, both do.
    wait_until_listening(&mut server, port)?;
    Ok(Mailbox {
        _server: server,
        url: format!("http://{IP}:{port}"),
        smtp_port,
    })
}

/// Waits until `server` accepts connections on `port`.
pub fn wait_until_listening(server: &mut Server, port: u16) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(status) = server.exited() {
            return Err(Error::new(format!(
                "process {} stopped ({status}) before listening on port {port}",
                server.id()
            )));
        }
        if TcpStream::connect((IP, port)).is_ok() {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(50));
    }
    Err(Error::new(format!(
        "process {} did not listen on port {port} within 20 s",
        server.id()
    )))
}
