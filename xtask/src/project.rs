//! Where things are: the clone, cargo's target and bin folders, the npm
//! tools, and the versions pinned in the workspace `Cargo.toml`.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Error, Result};

pub struct Project {
    pub root: PathBuf,
}

impl Project {
    /// The clone that `cargo xtask` runs in. Cargo sets `CARGO_MANIFEST_DIR`
    /// when it runs the binary, so a build copied from another clone (a
    /// worktree seeded with its `target/`) still works on its own files;
    /// the folder baked in at build time is the fallback.
    pub fn locate() -> Result<Self> {
        let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .ok_or_else(|| Error::new("xtask/ has no parent folder"))?
            .to_path_buf();
        Ok(Project { root })
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// Cargo's build output: `CARGO_TARGET_DIR` when set, else `target/`.
    pub fn target_dir(&self) -> PathBuf {
        match env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => self.root.join(dir),
            None => self.path("target"),
        }
    }

    /// Where `cargo install` puts binaries; shared by every clone.
    pub fn cargo_bin_dir(&self) -> PathBuf {
        let cargo_home = env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
            .unwrap_or_else(|| PathBuf::from(".cargo"));
        cargo_home.join("bin")
    }

    /// An executable that npm installed (wrangler, node, wasm-opt, esbuild).
    pub fn npm_bin(&self, name: &str) -> PathBuf {
        self.path("node_modules/.bin").join(name)
    }

    /// A command that runs in the clone and finds our tools first: the npm
    /// ones (so `node` is the pinned Node 22), then cargo's bin folder.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut paths = vec![self.path("node_modules/.bin"), self.cargo_bin_dir()];
        #[allow(clippy::disallowed_methods, reason = "no PATH is an empty one")]
        let inherited = env::var_os("PATH").unwrap_or_default();
        paths.extend(env::split_paths(&inherited));
        // Fails only if a folder's name holds the separator: then the
        // inherited PATH, not an empty one.
        let path: OsString = env::join_paths(paths).unwrap_or(inherited);
        let mut command = Command::new(program);
        command
            .current_dir(&self.root)
            .env("PATH", path)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        command
    }

    /// The cargo that runs us, so that a pinned toolchain stays pinned.
    pub fn cargo(&self) -> Command {
        self.command(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
    }

    /// The exact version a `[workspace.dependencies]` line pins with `"=x.y.z"`.
    /// The tools must match these crates, so this is their one source of truth.
    pub fn workspace_pin(&self, dependency: &str) -> Result<String> {
        let manifest = std::fs::read_to_string(self.path("Cargo.toml"))?;
        let prefix = format!("{dependency} =");
        manifest
            .lines()
            .filter(|line| line.starts_with(&prefix))
            .find_map(|line| {
                let start = line.find("\"=")? + 2;
                let len = line[start..].find('"')?;
                Some(line[start..start + len].to_string())
            })
            .ok_or_else(|| {
                Error::new(format!(
                    "Cargo.toml must pin `{dependency}` to an exact version \
                     (`{dependency} = \"=x.y.z\"`): the installed tools have to match it"
                ))
            })
    }
}
