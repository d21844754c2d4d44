//! `cargo xtask dev`: setup, build, then `wrangler dev` on 127.0.0.1 with
//! local KV persisted under `.wrangler/`, its confirmation mails delivered
//! to the local inbox, which also takes SMTP (see [`crate::mailbox`]). Ctrl-C stops wrangler and workerd
//! (they share the terminal's process group) and then xtask.

use crate::build::{self, Parts};
use crate::mailbox;
use crate::process;
use crate::project::Project;
use crate::setup::{self, Browser};
use crate::wrangler::{self, IP};
use crate::{Error, Result};

pub struct Options {
    port: u16,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        match args {
            [] => Ok(Options { port: 8787 }),
            [flag, port] if flag == "--port" => port
                .parse()
                .map(|port| Options { port })
                .map_err(|_| Error::new(format!("--port wants a number, not `{port}`"))),
            _ => Err(Error::new("usage: cargo xtask dev [--port N]")),
        }
    }
}

pub fn run(project: &Project, options: Options) -> Result<()> {
    setup::run(project, Browser::NotNeeded)?;
    build::build(project, Parts::ALL)?;
    wrangler::ensure_dev_vars(project)?;
    let port = options.port;
    let inspector_port = wrangler::free_port()?;
    // Confirmation mails go to a local mailbox, so double opt-in works here.
    let log = project.path(".wrangler/mailbox.log");
    std::fs::create_dir_all(project.path(".wrangler"))?;
    let mailbox = mailbox::start(project, &log)?;
    println!("== dev");
    println!("demo page  http://{IP}:{port}/");
    println!("liveness   http://{IP}:{port}/healthz");
    println!(
        "inbox      {}/ (every mail, as its recipient sees it)",
        mailbox.url
    );
    println!(
        "smtp       {IP}:{} (the inbox's SMTP, no TLS, no login: examples/)",
        mailbox.smtp_port
    );
    println!("cron       http://{IP}:{port}/cdn-cgi/local/scheduled (runs the scheduled handler)");
    println!("debugger   {IP}:{inspector_port}; Ctrl-C stops");
    let mut worker = wrangler::dev(project, port, inspector_port, "warn");
    worker.args(["--var", &mailbox.worker_var()]);
    worker.args(["--var", &mailbox.turnstile_var()]);
    let result = process::run(&mut worker);
    drop(mailbox);
    match result {
        Err(_) if process::interrupted() => Ok(()),
        other => other,
    }
}
