//! The results of a run: sections of paragraphs and tables, written as
//! `bench/results.md`, and read from bench programs' output.

use std::fmt::Write as _;
use std::fs;
use std::process::Command;
use std::time::Duration;

use crate::process::output;
use crate::project::Project;

/// One section of `bench/results.md`: paragraphs and tables, in order.
#[derive(Default)]
pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

pub enum Block {
    Text(String),
    Table(Vec<String>, Vec<Vec<String>>),
}

impl Section {
    pub fn new(title: &str) -> Section {
        Section {
            title: title.to_string(),
            blocks: Vec::new(),
        }
    }

    pub fn text(&mut self, line: impl Into<String>) {
        let line = line.into();
        match self.blocks.last_mut() {
            Some(Block::Text(text)) if !line.is_empty() => {
                text.push('\n');
                text.push_str(&line);
            }
            _ => self.blocks.push(Block::Text(line)),
        }
    }

    pub fn table(&mut self, head: &[&str]) {
        let head = head.iter().map(|cell| cell.to_string()).collect();
        self.blocks.push(Block::Table(head, Vec::new()));
    }

    pub fn row(&mut self, cells: Vec<String>) {
        if let Some(Block::Table(_, rows)) = self.blocks.last_mut() {
            rows.push(cells);
        }
    }
}

#[derive(Default)]
pub struct Report {
    pub sections: Vec<Section>,
    pub problems: Vec<String>,
    pub elapsed: Duration,
    pub quick: bool,
}

impl Report {
    /// Sections in the order of the parts: a numbered section
    /// ("3. …") and the unnumbered ones that follow it keep together.
    fn in_order(&self) -> Vec<&Section> {
        let mut part = 0;
        let mut keyed: Vec<(u32, &Section)> = Vec::new();
        for section in &self.sections {
            if let Some(number) = section
                .title
                .split_once(". ")
                .and_then(|(n, _)| n.parse().ok())
            {
                part = number;
            }
            keyed.push((part, section));
        }
        keyed.sort_by_key(|(part, _)| *part);
        keyed.into_iter().map(|(_, section)| section).collect()
    }

    pub fn markdown(&self, project: &Project) -> String {
        let mut md = String::from("# Dōi benchmarks\n\n");
        #[allow(
            clippy::disallowed_methods,
            reason = "a note for the reader: without `date` the line names no date"
        )]
        let _ = writeln!(
            md,
            "Written by `cargo xtask bench{}` on {}: {}, commit {}. The whole run took \
             {:.1} min. Machines are noisy: read the medians and the ratios to the \
             baselines measured in the same run, not single absolute times.\n",
            if self.quick { " --quick" } else { "" },
            output(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
                .unwrap_or_default()
                .trim(),
            machine(),
            commit(project),
            self.elapsed.as_secs_f64() / 60.0,
        );
        for section in self.in_order() {
            let _ = writeln!(md, "## {}\n", section.title);
            for block in &section.blocks {
                match block {
                    Block::Text(text) if text.is_empty() => {}
                    Block::Text(text) => {
                        let _ = writeln!(md, "{text}\n");
                    }
                    Block::Table(head, rows) => {
                        let _ = writeln!(md, "| {} |", head.join(" | "));
                        let _ = writeln!(md, "|{}", "---|".repeat(head.len()));
                        for row in rows {
                            let _ = writeln!(md, "| {} |", row.join(" | "));
                        }
                        md.push('\n');
                    }
                }
            }
        }
        if !self.problems.is_empty() {
            md.push_str("## Not measured in this run\n\n");
            for problem in &self.problems {
                let first = problem.lines().next().unwrap_or("");
                let _ = writeln!(md, "- {first}");
            }
            md.push('\n');
        }
        md
    }
}

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{} cores ({cpu})", cores())
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn commit(project: &Project) -> String {
    #[allow(
        clippy::disallowed_methods,
        reason = "outside a git clone the report names no commit"
    )]
    let git = |args: &[&str]| output(project.command("git").args(args)).unwrap_or_default();
    let head = git(&["rev-parse", "--short", "HEAD"]);
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"])
        .trim()
        .is_empty();
    format!(
        "{}{}",
        head.trim(),
        if dirty {
            " (with uncommitted changes)"
        } else {
            ""
        }
    )
}

/// The sections in a bench program's output (the protocol of bench/lib.mjs).
pub fn parse_sections(stdout: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for line in stdout.lines() {
        let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
        let cells = || rest.split(" | ").map(str::to_string).collect::<Vec<_>>();
        match (tag, sections.last_mut()) {
            ("@section", _) => sections.push(Section::new(rest)),
            ("@text", Some(section)) => section.text(rest),
            ("@head", Some(section)) => {
                section.blocks.push(Block::Table(cells(), Vec::new()));
            }
            ("@row", Some(section)) => section.row(cells()),
            _ => {}
        }
    }
    sections
}
