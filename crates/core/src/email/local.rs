//! The part before the `@`: the characters RFC 5322 and RFC 6531 allow,
//! lower-cased, at most 64 octets as stored.

use crate::prelude::*;

use super::{EmailError, MAX_LOCAL_LEN};

/// The local part `local` names, lower-cased by `lowercase`. A soft hyphen
/// is refused here, unlike in the domain: mailboxes do not ignore it, and
/// nobody can see it to remove it.
pub(super) fn parse(local: &str, lowercase: fn(&str) -> String) -> Result<String, EmailError> {
    if local.is_empty() {
        return Err(EmailError::EmptyLocalPart);
    }
    // `chars().any`, not `str::contains`: for a non-ASCII character
    // `contains` compiles in the general substring search (with its panic
    // paths), 3.5 KB of the widget every visitor downloads.
    if local.chars().any(|c| c == '\u{AD}') {
        return Err(EmailError::ControlCharacter);
    }
    if local.starts_with('.')
        || local.ends_with('.')
        || local.as_bytes().windows(2).any(|pair| pair == b"..")
    {
        return Err(EmailError::MisplacedDot);
    }
    // RFC 5322 atext plus dots; RFC 6531 allows any non-ASCII character.
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    let special = |c: char| SPECIALS.bytes().any(|b| char::from(b) == c);
    if let Some(c) = local
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || special(c) || !c.is_ascii()))
    {
        return Err(EmailError::InvalidLocalChar(c));
    }
    // Measured as stored: lower-casing may change the length in octets.
    let lower = lowercase(local);
    if lower.len() > MAX_LOCAL_LEN {
        return Err(EmailError::LocalPartTooLong);
    }
    Ok(lower)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::Email;

    fn err(s: &str) -> EmailError {
        Email::parse(s).unwrap_err()
    }

    #[test]
    fn accepts_plus_tags_and_unicode_local_parts() {
        assert!(Email::parse("user+news@example.com").is_ok());
        assert!(Email::parse("o'brien@example.ie").is_ok());
        assert!(Email::parse("山田@example.jp").is_ok());
    }

    #[test]
    fn a_soft_hyphen_before_the_at_is_refused_as_invisible() {
        assert_eq!(err("ta\u{AD}ro@example.com"), EmailError::ControlCharacter);
    }

    #[test]
    fn the_local_part_is_measured_after_normalising() {
        let local = "ｔ".repeat(MAX_LOCAL_LEN);
        assert_eq!(
            Email::parse(&(local.clone() + "@example.com")).map(|e| e.to_string()),
            Ok("t".repeat(MAX_LOCAL_LEN) + "@example.com")
        );
        assert_eq!(
            err(&(local + "ｔ@example.com")),
            EmailError::LocalPartTooLong
        );
        // 'Ⱥ' is two octets and its lower case 'ⱥ' three.
        let grows = "Ⱥ".repeat(MAX_LOCAL_LEN / 3 + 1);
        assert!(grows.len() <= MAX_LOCAL_LEN);
        assert_eq!(err(&(grows + "@example.com")), EmailError::LocalPartTooLong);
    }
}
