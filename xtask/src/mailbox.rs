//! The local stand-in for the sender's mail system: `tests/lib/mailbox.mjs`,
//! a tiny HTTP server on 127.0.0.1 that receives the Worker's signed
//! confirmation-mail webhooks and shows them at `GET /messages`. `cargo
//! xtask test` points the Worker at it; so does `cargo xtask dev`, so that a
//! newcomer can try double opt-in without an account anywhere.

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
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Mailbox {
    /// The `--var` that points the Worker's webhook delivery here.
    pub fn worker_var(&self) -> String {
        format!("DOI_WEBHOOK_URL:{}/hook", self.url)
    }
}

/// Starts the mailbox on a free port, logging to `log`.
pub fn start(project: &Project, log: &Path) -> Result<Mailbox> {
    let port = wrangler::free_port()?;
    let log = File::create(log)?;
    let mut server = Server::start(
        project
            .command(project.npm_bin("node"))
            .arg(project.path("tests/lib/mailbox.mjs"))
            .arg(port.to_string())
            .stdout(log.try_clone()?)
            .stderr(log),
    )?;
    wait_until_listening(&mut server, port)?;
    Ok(Mailbox {
        _server: server,
        url: format!("http://{IP}:{port}"),
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
