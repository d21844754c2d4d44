//! The part before the `@`: the characters RFC 5322 and RFC 6531 allow,
//! lower-cased, at most 64 octets as stored.

use crate::prelude::*;

use super::{EmailError, MAX_LOCAL_LEN};

/// The local part `local` names, lower-cased by `lowercase`.
pub(super) fn parse(local: &str, lowercase: fn(&str) -> String) -> Result<String, EmailError> {
    if local.is_empty() {
        return Err(EmailError::EmptyLocalPart);
    }
    if local.starts_with('.')
        || local.ends_with('.')
        || local.as_bytes().windows(2).any(|pair| pair == b"..")
    {
        return Err(EmailError::MisplacedDot);
    }
    // RFC 5322 atext plus dots; RFC 6531 allows any non-ASCII character.
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    if let Some(c) = local
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || SPECIALS.contains(c) || !c.is_ascii()))
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

    #[test]
    fn the_local_part_is_measured_after_normalising() {
        // 'Ⱥ' is two octets and its lower case 'ⱥ' three.
        let grows = "Ⱥ".repeat(MAX_LOCAL_LEN / 3 + 1);
        assert!(grows.len() <= MAX_LOCAL_LEN);
        assert_eq!(
            Email::parse(&(grows + "@example.com")),
            Err(EmailError::LocalPartTooLong)
        );
    }
}
