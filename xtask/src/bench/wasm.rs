//! Part `wasm`: the Worker's handlers as wasm, timed in Node's V8
//! (`bench/wasm-cpu.mjs`). Builds `bench/wasm-cpu` the way `cargo xtask
//! build` builds the Worker — the same opt-level and the same wasm-opt pass
//! — so the code timed is the code deployed, minus the runtime glue.

use std::fs;

use super::report::Section;
use super::{node_sections, Options};
use crate::build::WORKER_OPT_LEVEL;
use crate::process;
use crate::project::Project;
use crate::Result;

/// The wasm-opt pass worker-build gives the Worker: the flags of
/// crates/worker/Cargo.toml (`package.metadata.wasm-pack.profile.release`)
/// and the features worker-build enables.
const WASM_OPT: &[&str] = &[
    "-O3",
    "--enable-mutable-globals",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-bulk-memory",
    "--enable-multivalue",
    "--enable-reference-types",
    "--enable-exception-handling",
];

pub fn run(project: &Project, options: &Options) -> Result<Vec<Section>> {
    process::run(
        project
            .cargo()
            .args(["build", "--release", "--package", "doi-bench-wasm"])
            .args(["--target", "wasm32-unknown-unknown"])
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", WORKER_OPT_LEVEL),
    )?;
    let compiled = project
        .target_dir()
        .join("wasm32-unknown-unknown/release/doi_bench_wasm.wasm");
    let out = project.path("bench/out/wasm-cpu");
    let _ = fs::remove_dir_all(&out);
    process::run(
        project
            .command("wasm-bindgen")
            .args(["--target", "nodejs", "--no-typescript"])
            .arg("--out-dir")
            .arg(&out)
            .arg(&compiled),
    )?;
    // The glue is CommonJS; the clone's package.json says "module".
    fs::write(out.join("package.json"), "{\"type\": \"commonjs\"}\n")?;
    let module = out.join("doi_bench_wasm_bg.wasm");
    process::run(
        project
            .command(project.npm_bin("wasm-opt"))
            .args(WASM_OPT)
            .arg(&module)
            .arg("-o")
            .arg(&module),
    )?;
    let mut args = vec![
        "--module".to_string(),
        out.join("doi_bench_wasm.js").display().to_string(),
        "--sizes".to_string(),
        options.wasm_sizes().to_string(),
    ];
    if options.quick {
        args.push("--quick".into());
    }
    node_sections(project, "bench/wasm-cpu.mjs", &args)
}
