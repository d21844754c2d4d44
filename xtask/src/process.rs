//! Running child processes: echo what runs, fail with a message, stream and
//! keep output, and stop servers with everything they started.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// `$ program args…`, as a person would type it.
pub fn show(command: &Command) -> String {
    let program = command.get_program().to_string_lossy();
    let program = program.rsplit('/').next().unwrap_or(&program).to_string();
    let args = command.get_args().map(|arg| arg.to_string_lossy());
    std::iter::once(program.into())
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs to the end with inherited output; a non-zero exit is an error.
pub fn run(command: &mut Command) -> Result<()> {
    println!("$ {}", show(command));
    let status = command
        .status()
        .map_err(|error| spawn_error(command, error))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::new(format!("`{}` failed ({status})", show(command))))
    }
}

/// Runs quietly and returns stdout, or `None` if it cannot run or fails:
/// for questions such as "which version is installed?".
pub fn output(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs with stdout streamed to ours and also returned, so a suite can count
/// the tests it ran. Returns whether the command succeeded.
pub fn run_tee(command: &mut Command) -> Result<(bool, String)> {
    println!("$ {}", show(command));
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| spawn_error(command, error))?;
    let mut kept = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            kept.push_str(&line);
            kept.push('\n');
        }
    }
    Ok((child.wait()?.success(), kept))
}

fn spawn_error(command: &Command, error: std::io::Error) -> Error {
    Error::new(format!(
        "cannot run `{}`: {error} (run `cargo xtask setup` to install the tools)",
        show(command)
    ))
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Lets Ctrl-C stop the children (they share our terminal) while xtask lives
/// on to stop its servers and report. A handler, unlike "ignore", is reset
/// to the default in every child, so children still stop on Ctrl-C.
pub fn survive_ctrl_c() {
    extern "C" fn on_interrupt(_signal: i32) {
        INTERRUPTED.store(true, Ordering::SeqCst);
    }
    extern "C" {
        fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
    }
    const SIGINT: i32 = 2;
    // SAFETY: `signal` is the C library's; the handler only stores an atomic.
    unsafe {
        signal(SIGINT, on_interrupt);
    }
}

/// Whether Ctrl-C was pressed: then no further step should start.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// A background server in a process group of its own. Dropping it stops the
/// whole group (wrangler starts workerd, which must not outlive it).
pub struct Server {
    child: Child,
}

impl Server {
    pub fn start(command: &mut Command) -> Result<Self> {
        println!("$ {} &", show(command));
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|error| spawn_error(command, error))?;
        Ok(Server { child })
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// `Some(status)` if the server has already stopped by itself.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    fn signal_group(&self, signal: &str) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args([signal, "--", &group])
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.exited().is_none() {
            println!("stopping process group {}", self.child.id());
            self.signal_group("-TERM");
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.exited().is_none() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(100));
            }
        }
        // Children of the leader may linger after it exits: stop them too.
        self.signal_group("-KILL");
        let _ = self.child.wait();
    }
}
