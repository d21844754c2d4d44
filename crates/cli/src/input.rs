//! Reading CSV files (with the `csv` crate): a header row, then records,
//! each kept with its line so that every problem names the file, line and
//! column, as `FILE:LINE:COLUMN: what is wrong`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::outcome::Failure;

/// A CSV file read whole: its header, its rows, and a hash of its bytes
/// (what a journal is keyed by).
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it was read from.
    pub path: PathBuf,
    /// The header row, as written.
    pub headers: Vec<String>,
    /// The records after the header.
    pub rows: Vec<Row>,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

/// One record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line it starts on (1 is the header).
    pub line: u64,
    /// Its fields, in header order.
    pub fields: Vec<String>,
}

impl Row {
    /// The field in column `index` (0-based), or "" when the row is short.
    pub fn get(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", String::as_str)
    }
}

impl Table {
    /// Reads and parses `path`.
    pub fn read(path: &Path) -> Result<Table, Failure> {
        let bytes = fs::read(path).map_err(|e| Failure::io(path, e))?;
        Table::parse(path, &bytes)
    }

    /// Parses `bytes` as the contents of `path`.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Table, Failure> {
        let sha256 = doi_core::hash::hex(&doi_core::hash::sha256(bytes));
        // Spreadsheets put a byte-order mark in front of UTF-8 CSV.
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text);
        let mut records = reader.records();
        let name = path.display().to_string();
        let headers: Vec<String> = match records.next() {
            None => {
                return Err(Failure::Input(format!(
                    "{name}:1:1: the file is empty; it needs a header row"
                )))
            }
            Some(first) => first
                .map_err(|e| describe(&name, &e))?
                .iter()
                .map(|h| h.trim().to_string())
                .collect(),
        };
        let mut rows = Vec::new();
        for record in records {
            let record = record.map_err(|e| describe(&name, &e))?;
            if record.len() != headers.len() {
                let line = record.position().map_or(0, csv::Position::line);
                return Err(Failure::Input(format!(
                    "{name}:{line}:{}: this row has {} fields, the header has {}",
                    record.len().min(headers.len()) + 1,
                    record.len(),
                    headers.len()
                )));
            }
            let line = record.position().map_or(0, csv::Position::line);
            // An empty line in the middle of a file is not a recipient.
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            rows.push(Row {
                line,
                fields: record.iter().map(str::to_string).collect(),
            });
        }
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            rows,
            sha256,
        })
    }

    /// The index of the first header that equals one of `names`, ignoring
    /// case and spaces around it.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| {
            self.headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
        })
    }

    /// Like [`Table::column`], but an input error naming what was looked
    /// for when there is no such column.
    pub fn require(&self, names: &[&str]) -> Result<usize, Failure> {
        self.column(names).ok_or_else(|| {
            Failure::Input(format!(
                "{}:1:1: the header has no {} column (found: {})",
                self.path.display(),
                names.join(" / "),
                self.headers.join(", ")
            ))
        })
    }

    /// `FILE:LINE:COLUMN` of `row`'s field `index`.
    pub fn at(&self, row: &Row, index: usize) -> String {
        format!("{}:{}:{}", self.path.display(), row.line, index + 1)
    }

    /// An input error about `row`'s field `index`.
    pub fn error(&self, row: &Row, index: usize, problem: impl std::fmt::Display) -> Failure {
        let header = self.headers.get(index).map_or("", String::as_str);
        Failure::Input(format!("{} ({header}): {problem}", self.at(row, index)))
    }
}

/// The csv crate's error, as `FILE:LINE:COLUMN: problem`.
fn describe(name: &str, error: &csv::Error) -> Failure {
    match error.kind() {
        csv::ErrorKind::Utf8 { pos, err } => Failure::Input(format!(
            "{name}:{}:{}: not valid UTF-8 (save the file as UTF-8)",
            pos.as_ref().map_or(0, csv::Position::line),
            err.field() + 1
        )),
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => Failure::Input(format!(
            "{name}:{}:{}: this row has {len} fields, the header has {expected_len}",
            pos.as_ref().map_or(0, csv::Position::line),
            (*len).min(*expected_len) + 1
        )),
        _ => Failure::Input(format!("{name}: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Table, Failure> {
        Table::parse(Path::new("people.csv"), text.as_bytes())
    }

    fn message(result: Result<Table, Failure>) -> String {
        match result {
            Ok(_) => panic!("the file was accepted"),
            Err(failure) => failure.to_string(),
        }
    }

    #[test]
    fn rows_keep_the_line_they_start_on_even_across_quoted_newlines() {
        let table = parse("email,note\na@example.com,\"two\nlines\"\nb@example.com,x\n").unwrap();
        assert_eq!(table.headers, ["email", "note"]);
        let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!(table.rows[0].get(1), "two\nlines");
    }

    #[test]
    fn a_row_with_too_many_fields_names_its_line_and_the_first_extra_column() {
        let m = message(parse("email,name\na@example.com,A\nb@example.com,B,oops\n"));
        assert_eq!(m, "people.csv:3:3: this row has 3 fields, the header has 2");
    }

    #[test]
    fn a_row_with_too_few_fields_names_the_missing_column() {
        let m = message(parse("email,name,topics\na@example.com\n"));
        assert_eq!(m, "people.csv:2:2: this row has 1 fields, the header has 3");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_named_by_line_and_column() {
        let mut bytes = b"email,name\na@example.com,".to_vec();
        bytes.extend([0xff, 0xfe]);
        bytes.push(b'\n');
        let m = message(Table::parse(Path::new("people.csv"), &bytes));
        assert_eq!(
            m,
            "people.csv:2:2: not valid UTF-8 (save the file as UTF-8)"
        );
    }

    #[test]
    fn an_empty_file_is_an_error_at_its_first_line() {
        assert_eq!(
            message(parse("")),
            "people.csv:1:1: the file is empty; it needs a header row"
        );
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_first_header() {
        let table = Table::parse(
            Path::new("x.csv"),
            b"\xEF\xBB\xBFEmail Address\na@example.com\n",
        )
        .unwrap();
        assert_eq!(table.column(&["email address"]), Some(0));
    }

    #[test]
    fn a_missing_column_says_what_was_looked_for_and_what_is_there() {
        let table = parse("name\nA\n").unwrap();
        let m = table
            .require(&["email", "Email Address"])
            .unwrap_err()
            .to_string();
        assert_eq!(
            m,
            "people.csv:1:1: the header has no email / Email Address column (found: name)"
        );
    }

    #[test]
    fn the_same_bytes_hash_the_same_and_a_changed_byte_does_not() {
        let a = parse("email\na@example.com\n").unwrap();
        let b = parse("email\na@example.com\n").unwrap();
        let c = parse("email\nb@example.com\n").unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_ne!(a.sha256, c.sha256);
    }
}
