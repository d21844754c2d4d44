//! The list of addresses a sender uploads on the console to suppress: a
//! CSV (or one address per line) as spreadsheets save it. The address is
//! the first column, or the column headed `email` / `メールアドレス`; a
//! header row, blank lines, a byte-order mark and quotes are understood.
//! Without a header it knows, the column is the one whose cells hold an
//! `@` most often, and a first line without one is a header: a file Excel
//! saved in Shift_JIS (its default in Japan) arrives with its Japanese
//! header unreadable (the Worker reads UTF-8), but with its commas and its
//! ASCII addresses intact ([`mis_encoded`] tells the page to say so).
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

/// Whether `text` was decoded from bytes that were not UTF-8 (it holds
/// the replacement character): Japanese in it was lost, addresses among it.
pub fn mis_encoded(text: &str) -> bool {
    text.contains('\u{fffd}')
}

fn has_at(cell: &str) -> bool {
    cell.contains('@') || cell.contains('＠')
}

/// Lines looked at to find the address column of a file without a header.
const SAMPLE: usize = 20;

/// For a file without a known header: the column whose cells in the first
/// [`SAMPLE`] lines hold an `@` most often (the first such on a tie; 0 when
/// none does), and whether the first line is a header (no `@` in that
/// column, while a later line has one).
fn guess_column(text: &str) -> (usize, bool) {
    let sample: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(SAMPLE)
        .map(cells)
        .collect();
    let width = sample.iter().map(Vec::len).max().unwrap_or(0);
    let count = |c: usize| {
        sample
            .iter()
            .filter(|row| row.get(c).is_some_and(|x| has_at(x)))
            .count()
    };
    let Some(column) = (0..width)
        .filter(|&c| count(c) > 0)
        .max_by_key(|&c| (count(c), usize::MAX - c))
    else {
        return (0, false);
    };
    let first_is_header = sample
        .first()
        .is_some_and(|row| !row.get(column).is_some_and(|x| has_at(x)));
    (column, first_is_header)
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
            let (guessed, first_is_header) = guess_column(text);
            column = guessed;
            if first_is_header {
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

    #[test]
    fn a_shift_jis_file_read_as_utf8_still_gives_its_ascii_addresses() {
        // 名前,メールアドレス / 佐藤,sato@example.jp in Shift_JIS bytes,
        // decoded as the Worker decodes a body it cannot read as UTF-8.
        let bytes: &[u8] = b"\x96\xbc\x91\x4f,\x83\x81\x81\x5b\x83\x8b\x83\x41\x83\x68\x83\x8c\x83\x58\r\n\x8d\xb2\x93\xa1,sato@example.jp\r\n\x97\xe9\x96\xd8,suzuki@example.jp\r\n";
        let text = String::from_utf8_lossy(bytes);
        assert!(mis_encoded(&text));
        let rows = addresses(&text).unwrap();
        let got: Vec<(usize, &str)> = rows.iter().map(|r| (r.line, r.address.as_str())).collect();
        assert_eq!(got, [(2, "sato@example.jp"), (3, "suzuki@example.jp")]);
        assert!(!mis_encoded("名前,メールアドレス"));
    }

    #[test]
    fn without_a_known_header_the_column_with_addresses_is_taken() {
        let rows = addresses(
            "氏名,連絡先
佐藤,sato@example.jp
鈴木,ｓｕｚｕｋｉ＠ｅｘａｍｐｌｅ．ｊｐ
",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].address, "ｓｕｚｕｋｉ＠ｅｘａｍｐｌｅ．ｊｐ");
        // A plain list keeps its first line, and a line without an @ is a
        // row to name as unreadable, not dropped.
        let rows = addresses(
            "a@example.com
not-an-address
",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
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
