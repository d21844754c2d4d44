//! Resumable runs: a journal file beside the output records each batch
//! that is done, so that a rerun of the same command on the same input
//! goes on after the last batch done instead of repeating it.
//!
//! The journal is NDJSON. Its first line names the command and a key, the
//! SHA-256 of the input file's bytes and of every option that shapes the
//! batches; a journal whose key differs (another input, another list) is
//! started afresh. Each later line is one batch done: its number, the
//! output file's length once the batch was written (a rerun cuts the
//! output back to it, dropping a batch written only in part), the export
//! cursor that follows it, and what the batch counted, for the summary.
//! The output is synced to disk before the journal line that covers it.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::outcome::Failure;

/// The journal of one run.
pub struct Journal<T> {
    path: PathBuf,
    file: File,
    /// The batches an earlier run finished, in order.
    pub done: Vec<Entry<T>>,
    /// Whether that run finished every batch.
    pub finished: bool,
    /// Why an existing journal was not resumed, when it was not.
    pub restarted: Option<String>,
}

/// One batch done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry<T> {
    /// Its number, from 0.
    pub batch: u64,
    /// The output's length after it.
    #[serde(default)]
    pub offset: u64,
    /// Where the next page starts (export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// What it counted.
    pub tally: T,
}

#[derive(Serialize, Deserialize)]
struct Header {
    doi_journal: u32,
    command: String,
    key: String,
    started: u64,
}

/// The key of a run: SHA-256 over each part, length-prefixed, hex.
pub fn key(parts: &[&[u8]]) -> String {
    let mut bytes = Vec::new();
    for part in parts {
        bytes.extend((part.len() as u64).to_be_bytes());
        bytes.extend(*part);
    }
    doi_core::hash::hex(&doi_core::hash::sha256(&bytes))
}

/// The journal's path for an output (or input) file: beside it, `.journal`
/// appended to its name.
pub fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl<T: Serialize + DeserializeOwned> Journal<T> {
    /// Opens the journal at `path` for `command` with `key`, resuming it
    /// unless `fresh`, its key differs, or it is older than `max_age`.
    pub fn open(
        path: &Path,
        command: &str,
        key: &str,
        max_age: Option<Duration>,
        fresh: bool,
    ) -> Result<Journal<T>, Failure> {
        let mut restarted = None;
        if path.exists() {
            match read(path, command, key, max_age) {
                Ok((done, finished)) if !fresh => {
                    let file = OpenOptions::new()
                        .append(true)
                        .open(path)
                        .map_err(|e| Failure::io(path, e))?;
                    return Ok(Journal {
                        path: path.to_path_buf(),
                        file,
                        done,
                        finished,
                        restarted: None,
                    });
                }
                Ok(_) => restarted = Some("--fresh".to_string()),
                Err(why) => restarted = Some(why),
            }
        }
        let mut file = File::create(path).map_err(|e| Failure::io(path, e))?;
        let header = Header {
            doi_journal: 1,
            command: command.to_string(),
            key: key.to_string(),
            started: now_ms(),
        };
        let line = serde_json::to_string(&header).map_err(|e| Failure::Input(e.to_string()))?;
        writeln!(file, "{line}")
            .and_then(|()| file.sync_data())
            .map_err(|e| Failure::io(path, e))?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
            done: Vec::new(),
            finished: false,
            restarted,
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records a batch as done (after its output is synced).
    pub fn record(&mut self, entry: Entry<T>) -> Result<(), Failure> {
        let line = serde_json::to_string(&entry).map_err(|e| Failure::Input(e.to_string()))?;
        writeln!(self.file, "{line}")
            .and_then(|()| self.file.sync_data())
            .map_err(|e| Failure::io(&self.path, e))?;
        self.done.push(entry);
        Ok(())
    }

    /// Records that every batch is done: a rerun does nothing.
    pub fn finish(&mut self) -> Result<(), Failure> {
        writeln!(self.file, "{{\"finished\":true}}")
            .and_then(|()| self.file.sync_data())
            .map_err(|e| Failure::io(&self.path, e))?;
        self.finished = true;
        Ok(())
    }

    /// Deletes the journal: the next run starts afresh.
    pub fn remove(self) -> Result<(), Failure> {
        fs::remove_file(&self.path).map_err(|e| Failure::io(&self.path, e))
    }
}

/// The batches done by the run that wrote `path`, or why it cannot resume.
fn read<T: DeserializeOwned>(
    path: &Path,
    command: &str,
    key: &str,
    max_age: Option<Duration>,
) -> Result<(Vec<Entry<T>>, bool), String> {
    let file = File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    let mut lines = BufReader::new(file).lines();
    let header: Header = lines
        .next()
        .and_then(|l| l.ok())
        .and_then(|l| serde_json::from_str(&l).ok())
        .ok_or("it is not a doi journal")?;
    if header.command != command || header.key != key {
        return Err("it is for another input or other options".into());
    }
    if let Some(max) = max_age {
        let age = Duration::from_millis(now_ms().saturating_sub(header.started));
        if age > max {
            return Err(format!(
                "it is older than {} minutes: decisions are made again",
                max.as_secs() / 60
            ));
        }
    }
    let mut done = Vec::new();
    let mut finished = false;
    for line in lines.map_while(Result::ok) {
        if line.trim() == "{\"finished\":true}" {
            finished = true;
        } else if let Ok(entry) = serde_json::from_str::<Entry<T>>(&line) {
            // Only the next batch in order: a torn or foreign line ends it.
            if entry.batch != done.len() as u64 {
                break;
            }
            done.push(entry);
        } else {
            break;
        }
    }
    Ok((done, finished))
}

/// An output file that a resumed run appends to, cut back first to what
/// the journal says was done.
pub struct Output {
    path: PathBuf,
    file: File,
}

impl Output {
    /// Opens `path`, keeping its first `keep` bytes (0: a new file).
    pub fn open(path: &Path, keep: u64) -> Result<Output, Failure> {
        let io = |e| Failure::io(path, e);
        let mut file = if keep == 0 {
            File::create(path).map_err(io)?
        } else {
            let file = OpenOptions::new().write(true).open(path).map_err(io)?;
            let len = file.metadata().map_err(io)?.len();
            if len < keep {
                return Err(Failure::Input(format!(
                    "{} is shorter than its journal says ({len} < {keep} bytes): rerun with --fresh",
                    path.display()
                )));
            }
            file.set_len(keep).map_err(io)?;
            file
        };
        file.seek(SeekFrom::End(0)).map_err(io)?;
        Ok(Output {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.file
            .write_all(bytes)
            .map_err(|e| Failure::io(&self.path, e))
    }

    /// Syncs to disk and returns the length: what a journal entry records.
    pub fn commit(&mut self) -> Result<u64, Failure> {
        let io = |e| Failure::io(&self.path, e);
        self.file.flush().map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.file.stream_position().map_err(io)
    }
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
