//! The list of addresses a sender uploads on the console to suppress: a
//! CSV (or one address per line) as spreadsheets save it. The address is
//! the first column, or the column headed `email` / `メールアドレス`; a
//! header row, blank lines, a byte-order mark and quotes are understood.
//! At most [`CHANGE_BATCH`] addresses per upload: the same bound as
//! `POST /v1/suppressions`, so one upload stays one bounded request.

use crate::prelude::*;

use crate::limits::CHANGE_BATCH;

/// Why an upload is refused as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvError {
    /// No address in it.
    Empty,
    /// More than [`CHANGE_BATCH`] addresses.
    TooMany(usize),
}

/// One address to suppress, with the line it came from (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Line number in the file.
    pub line: usize,
    /// The cell as written (parsed as an address later).
    pub address: String,
}

fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' | ';' | '\t' if !quoted => out.push(core::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    out.push(cell);
    out.into_iter()
        .map(|c| c.trim_matches(|c: char| c.is_whitespace()).to_string())
        .collect()
}

fn is_header(cell: &str) -> bool {
    let c = cell.to_lowercase();
    matches!(
        c.as_str(),
        "email" | "e-mail" | "email address" | "address" | "メールアドレス" | "メール"
    )
}

/// The addresses of an uploaded file, in order, or why it is refused.
pub fn addresses(text: &str) -> Result<Vec<Row>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut column = 0;
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let cells = cells(line);
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if rows.is_empty() && n == 0 {
            if let Some(i) = cells.iter().position(|c| is_header(c)) {
                column = i;
                continue;
            }
        }
        let Some(address) = cells.get(column).filter(|a| !a.is_empty()).cloned() else {
            continue;
        };
        rows.push(Row {
            line: n + 1,
            address,
        });
        if rows.len() > CHANGE_BATCH {
            // Count the rest cheaply, to say how many there were.
            let more = text
                .lines()
                .skip(n + 1)
                .filter(|l| !l.trim().is_empty())
                .count();
            return Err(CsvError::TooMany(rows.len() + more));
        }
    }
    if rows.is_empty() {
        return Err(CsvError::Empty);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_spreadsheet_export_with_a_header_gives_its_email_column() {
        let csv = "\u{feff}name,email,note\r\n\"Sato, Ichiro\",sato@example.jp,x\r\n\r\nKim,\"kim@example.com\",\"say \"\"hi\"\"\"\r\n";
        let rows = addresses(csv).unwrap();
        assert_eq!(
            rows,
            vec![
                Row {
                    line: 2,
                    address: "sato@example.jp".into()
                },
                Row {
                    line: 4,
                    address: "kim@example.com".into()
                },
            ]
        );
    }

    #[test]
    fn a_plain_list_and_a_japanese_header_are_understood() {
        let rows = addresses("a@example.com\n b@example.com \n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].address, "b@example.com");
        let rows =
            addresses("メールアドレス\tメモ\nｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ\t全角\n").unwrap();
        assert_eq!(rows[0].address, "ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ");
    }

    #[test]
    fn an_empty_file_and_one_over_the_batch_are_refused() {
        assert_eq!(addresses("email\n\n"), Err(CsvError::Empty));
        let many: String = (0..CHANGE_BATCH + 5)
            .map(|i| format!("p{i}@example.com\n"))
            .collect();
        assert_eq!(addresses(&many), Err(CsvError::TooMany(CHANGE_BATCH + 5)));
        let full: String = (0..CHANGE_BATCH)
            .map(|i| format!("p{i}@example.com\n"))
            .collect();
        assert_eq!(addresses(&full).unwrap().len(), CHANGE_BATCH);
    }

    proptest! {
        #[test]
        fn never_more_rows_than_the_batch_and_never_a_header(lines in proptest::collection::vec("[a-z@.,\" ]{0,20}", 0..80)) {
            let text = lines.join("\n");
            if let Ok(rows) = addresses(&text) {
                prop_assert!(rows.len() <= CHANGE_BATCH && !rows.is_empty());
                prop_assert!(rows.iter().all(|r| !r.address.is_empty() && r.line >= 1));
            }
        }
    }
}
