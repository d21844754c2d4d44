//! The recipients of `doi prepare` and `doi check`: a CSV with an email
//! column, one recipient a row, each address once. Two spellings that
//! doi-core reads as one mailbox (case, full-width forms, an IDN domain)
//! are one recipient: the later rows are refused as `duplicate`, so that
//! nobody gets the same mail twice.

use std::collections::BTreeMap;

use doi_core::Email;

use super::Refusal;
use crate::input::{Row, Table};
use crate::outcome::Failure;

/// Headers read as the address column, in order of preference.
pub const EMAIL_COLUMNS: &[&str] = &["email", "Email Address", "e-mail", "mail", "address"];

/// One recipient to ask about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The input row.
    pub row: Row,
    /// The address as written.
    pub email: String,
}

/// The recipients of `table`, and the rows refused before asking.
pub fn read(table: &Table) -> Result<(Vec<Recipient>, Vec<Refusal>), Failure> {
    let column = table.require(EMAIL_COLUMNS)?;
    let mut first: BTreeMap<String, u64> = BTreeMap::new();
    let mut recipients = Vec::new();
    let mut duplicates = Vec::new();
    for row in &table.rows {
        let email = row.get(column).trim().to_string();
        // An invalid address is the API's to refuse (`invalid_email`).
        let key = Email::parse(&email).map_or_else(|_| email.clone(), |e| e.as_str().to_string());
        if let Some(line) = first.get(&key) {
            duplicates.push(Refusal {
                line: row.line,
                email,
                code: "duplicate".into(),
                detail: format!("same mailbox as line {line}"),
            });
            continue;
        }
        first.insert(key, row.line);
        recipients.push(Recipient {
            row: row.clone(),
            email,
        });
    }
    Ok((recipients, duplicates))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn two_spellings_of_one_mailbox_are_one_recipient() {
        let text = "email,name\nTaro@Example.com,A\nb@example.com,B\ntaro＠example.com,C\n";
        let table = Table::parse(Path::new("r.csv"), text.as_bytes()).unwrap();
        let (recipients, refused) = read(&table).unwrap();
        let emails: Vec<&str> = recipients.iter().map(|r| r.email.as_str()).collect();
        assert_eq!(emails, ["Taro@Example.com", "b@example.com"]);
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].line, 4);
        assert_eq!(refused[0].code, "duplicate");
        assert_eq!(refused[0].detail, "same mailbox as line 2");
    }

    #[test]
    fn a_mailchimp_header_names_the_address_column() {
        let text = "First Name,Email Address\nTaro,taro@example.com\n";
        let table = Table::parse(Path::new("r.csv"), text.as_bytes()).unwrap();
        let (recipients, _) = read(&table).unwrap();
        assert_eq!(recipients[0].email, "taro@example.com");
    }

    #[test]
    fn an_invalid_address_is_still_asked_about() {
        let text = "email\nnot an address\n";
        let table = Table::parse(Path::new("r.csv"), text.as_bytes()).unwrap();
        let (recipients, refused) = read(&table).unwrap();
        assert_eq!(recipients.len(), 1);
        assert!(refused.is_empty());
    }
}
