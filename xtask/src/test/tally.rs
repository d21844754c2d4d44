//! Reading what a test runner printed: how many tests passed and failed,
//! from cargo's `test result:` lines, Node's spec reporter, or a summary.

use super::{Counts, Tally};
use crate::{Error, Result};

pub(super) fn parse_counts(message: &str) -> Option<(u32, u32)> {
    let (passed, rest) = message.split_once(" passed, ")?;
    let failed = rest.split_once(" failed")?.0;
    Some((passed.parse().ok()?, failed.parse().ok()?))
}

/// Adds up cargo's `test result:` lines (wasm-bindgen-test prints them too).
pub(super) fn cargo_test_result(ok: bool, output: &str) -> Result<Tally> {
    let mut counts = Counts::default();
    for line in output
        .lines()
        .filter(|line| line.starts_with("test result:"))
    {
        counts.passed += count_before(line, " passed");
        counts.failed += count_before(line, " failed");
    }
    if !ok && counts.failed == 0 {
        return Err(Error::new("cargo test failed (see above)"));
    }
    Ok(Some(counts))
}

/// The number just before `word` in `line`: ("… 12 passed; …", " passed") → 12.
fn count_before(line: &str, word: &str) -> u32 {
    line.split_once(word)
        .and_then(|(before, _)| before.rsplit(' ').next())
        .and_then(|number| number.parse().ok())
        .unwrap_or(0)
}

/// Reads the spec reporter's closing `ℹ pass N` / `ℹ fail N` lines.
pub(super) fn node_test_result(ok: bool, output: &str) -> Result<Tally> {
    let mut counts = Counts::default();
    for line in output.lines() {
        let line = line.trim_start_matches(['ℹ', '#', ' ']);
        if let Some(number) = line.strip_prefix("pass ") {
            counts.passed = number.trim().parse().unwrap_or(0);
        } else if let Some(number) = line.strip_prefix("fail ") {
            counts.failed = number.trim().parse().unwrap_or(0);
        }
    }
    if !ok && counts.failed == 0 {
        return Err(Error::new("node --test failed (see above)"));
    }
    Ok(Some(counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_result_lines_are_added_up() {
        let output = "test result: ok. 12 passed; 0 failed; 1 ignored\n\
                      noise\n\
                      test result: FAILED. 3 passed; 2 failed; 0 ignored\n";
        let counts = cargo_test_result(false, output).unwrap().unwrap();
        assert_eq!((counts.passed, counts.failed), (15, 2));
    }

    #[test]
    fn a_failed_cargo_run_without_result_lines_is_an_error() {
        assert!(cargo_test_result(false, "error: could not compile").is_err());
    }

    #[test]
    fn node_spec_summary_is_read() {
        let output = "✔ healthz answers (12ms)\nℹ tests 3\nℹ pass 3\nℹ fail 0\n";
        let counts = node_test_result(true, output).unwrap().unwrap();
        assert_eq!((counts.passed, counts.failed), (3, 0));
    }

    #[test]
    fn summary_messages_give_back_their_counts() {
        assert_eq!(parse_counts("3 passed, 2 failed"), Some((3, 2)));
        assert_eq!(parse_counts("ran no test"), None);
    }
}
