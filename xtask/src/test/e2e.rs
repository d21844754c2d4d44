//! The suites that run the real Worker: the Node specs against `wrangler
//! dev` (with a local mailbox), the rate-limit specs, and the deploy dry run.

use std::env;
use std::fs;
use std::path::PathBuf;

use super::tally::node_test_result;
use super::Tally;
use crate::mailbox;
use crate::process;
use crate::project::Project;
use crate::wrangler;
use crate::{Error, Result};

/// The Node test runner over `tests/*.spec.mjs`, against a fresh `wrangler
/// dev` (empty KV). The specs find it at `DOI_BASE_URL`; its output goes to
/// `tests/artifacts/wrangler.log` (`DOI_WRANGLER_LOG`), for specs to inspect.
/// Confirmation mails go to the local inbox (`DOI_MAILBOX_URL`), which also
/// takes SMTP (`DOI_INBOX_SMTP_PORT`).
pub(super) fn end_to_end(project: &Project) -> Result<Tally> {
    let specs = spec_files(project)?;
    let cli = build_cli(project)?;
    wrangler::ensure_dev_vars(project)?;
    let artifacts = project.path("tests/artifacts");
    fs::create_dir_all(&artifacts)?;
    // Specs list every address they use here; the privacy spec checks them.
    let _ = fs::remove_file(artifacts.join("addresses.txt"));

    // The sender's delivery webhook, up before the Worker that calls it.
    let mailbox = mailbox::start(project, &artifacts.join("mailbox.log"))?;
    let mailbox_url = mailbox.url.clone();

    // "log", not "warn": specs read the Worker's console output in the log.
    // DOI_TEST_FAULTS: the panic probe of tests/panic.spec.mjs
    // (crates/worker/src/edge/faults.rs).
    let vars = [
        mailbox.worker_var(),
        mailbox.turnstile_var(),
        "DOI_TEST_FAULTS:on".to_string(),
    ];
    let worker = wrangler::start_fresh(project, "wrangler", "log", &vars)?;
    let result = process::run_tee(
        project
            .command(project.npm_bin("node"))
            // One file at a time, in name order: they share one Worker,
            // and zz-privacy.spec.mjs must see every other spec's traces.
            .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
            .args(&specs)
            .env("DOI_BASE_URL", worker.base_url())
            .env("DOI_WRANGLER_LOG", &worker.log)
            .env("DOI_ARTIFACTS", &artifacts)
            .env("DOI_MAILBOX_URL", &mailbox_url)
            .env("DOI_CLI", &cli)
            .env("DOI_INBOX_SMTP_PORT", mailbox.smtp_port.to_string()),
    );
    println!(
        "wrangler dev (process group {}) logged to {}",
        worker.id(),
        worker.log.display()
    );
    drop(worker);
    drop(mailbox);
    let (ok, output) = result?;
    node_test_result(ok, &output)
}

/// The `doi` CLI, built for `tests/cli*.spec.mjs` to run (`DOI_CLI`).
fn build_cli(project: &Project) -> Result<PathBuf> {
    process::run(
        project
            .cargo()
            .args(["build", "--package", "doi-cli", "--bin", "doi"]),
    )?;
    Ok(project.target_dir().join("debug").join("doi"))
}

/// The rate-limit specs (`tests/limits/*.spec.mjs`) against a second fresh
/// `wrangler dev` with the limits of wrangler.toml on: the main run has
/// them off, because its specs send hundreds of requests from 127.0.0.1.
pub(super) fn end_to_end_limits(project: &Project) -> Result<Tally> {
    let mut specs: Vec<PathBuf> = fs::read_dir(project.path("tests/limits"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.to_string_lossy().ends_with(".spec.mjs"))
        .collect();
    specs.sort();
    let worker = wrangler::start_fresh(
        project,
        "wrangler-limits",
        "warn",
        &["DOI_RATE_LIMITS:on".to_string()],
    )?;
    let (ok, output) = process::run_tee(
        project
            .command(project.npm_bin("node"))
            .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
            .args(&specs)
            .env("DOI_BASE_URL", worker.base_url())
            .env("DOI_ARTIFACTS", project.path("tests/artifacts")),
    )?;
    node_test_result(ok, &output)
}

/// The console's Cloudflare Access specs (`tests/access/*.spec.mjs`)
/// against a third fresh `wrangler dev` with Access configured: team
/// `doi-test`, a fixed test audience, and the key set on 127.0.0.1 at
/// `DOI_ACCESS_CERTS_PORT`, where the spec serves keys it generates (the
/// team's real URL cannot be reached from here).
pub(super) fn end_to_end_access(project: &Project) -> Result<Tally> {
    let mut specs: Vec<PathBuf> = fs::read_dir(project.path("tests/access"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.to_string_lossy().ends_with(".spec.mjs"))
        .collect();
    specs.sort();
    let port = wrangler::free_port()?;
    let worker = wrangler::start_fresh(
        project,
        "wrangler-access",
        "warn",
        &[
            "DOI_ACCESS_TEAM:doi-test".to_string(),
            format!("DOI_ACCESS_AUD:{ACCESS_TEST_AUD}"),
            format!("DOI_ACCESS_CERTS_URL:http://127.0.0.1:{port}/cdn-cgi/access/certs"),
        ],
    )?;
    let (ok, output) = process::run_tee(
        project
            .command(project.npm_bin("node"))
            .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
            .args(&specs)
            .env("DOI_BASE_URL", worker.base_url())
            .env("DOI_ARTIFACTS", project.path("tests/artifacts"))
            .env("DOI_ACCESS_CERTS_PORT", port.to_string())
            .env("DOI_ACCESS_AUD", ACCESS_TEST_AUD),
    )?;
    node_test_result(ok, &output)
}

/// The audience tag of the Access test application (any 64 hex digits).
const ACCESS_TEST_AUD: &str = "d0e5a1c3b2f4e6a8d0e5a1c3b2f4e6a8d0e5a1c3b2f4e6a8d0e5a1c3b2f4e6a8";

/// `tests/*.spec.mjs`; with `DOI_SPECS=widget,xss` (a developer's fast
/// loop, never set in CI) only the files whose names contain one of those.
fn spec_files(project: &Project) -> Result<Vec<PathBuf>> {
    #[allow(clippy::disallowed_methods, reason = "unset means every spec")]
    let wanted = env::var("DOI_SPECS").unwrap_or_default();
    let wanted: Vec<&str> = wanted.split(',').filter(|w| !w.is_empty()).collect();
    let mut specs: Vec<PathBuf> = fs::read_dir(project.path("tests"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.to_string_lossy().ends_with(".spec.mjs"))
        .filter(|path| {
            #[allow(
                clippy::disallowed_methods,
                reason = "a read_dir entry always has a file name"
            )]
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            wanted.is_empty() || wanted.iter().any(|w| name.contains(w))
        })
        .collect();
    specs.sort();
    if specs.is_empty() {
        return Err(Error::new("no tests/*.spec.mjs to run (see DOI_SPECS)"));
    }
    Ok(specs)
}

/// The Worker bundles and validates for deployment, offline, without login.
pub(super) fn deploy_dry_run(project: &Project) -> Result<Tally> {
    let out = env::temp_dir().join(format!("doi-deploy-dry-run-{}", std::process::id()));
    let result = process::run(
        wrangler::wrangler(project)
            .args(["deploy", "--dry-run", "--outdir"])
            .arg(&out),
    );
    let _ = fs::remove_dir_all(&out);
    result.map(|()| None)
}
