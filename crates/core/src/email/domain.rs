//! The part after the `@`: checked label by label, then written in ASCII
//! (punycode).

use crate::prelude::*;

use super::{EmailError, MAX_LEN};

/// Longest domain label.
const MAX_LABEL_LEN: usize = 63;

/// The domain `domain` names, lower-cased by `lowercase`, in ASCII.
pub(super) fn parse(domain: &str, lowercase: fn(&str) -> String) -> Result<String, EmailError> {
    // A single trailing dot is the DNS root: drop it.
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain.is_empty() {
        return Err(EmailError::EmptyDomain);
    }
    let lower = lowercase(domain);
    // Full-width and ideographic dots separate labels too (UTS #46).
    let labels: Vec<&str> = lower.split(['.', '。', '．', '｡']).collect();
    if labels.len() < 2 {
        return Err(EmailError::DomainWithoutDot);
    }
    let mut ascii = Vec::with_capacity(labels.len());
    for label in labels {
        ascii.push(parse_label(label)?);
    }
    if ascii
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(EmailError::NumericTopLevelDomain);
    }
    let joined = ascii.join(".");
    if joined.len() > MAX_LEN {
        return Err(EmailError::TooLong);
    }
    Ok(joined)
}

fn parse_label(label: &str) -> Result<String, EmailError> {
    let invalid = || EmailError::InvalidDomainLabel(label.to_string());
    if label.is_empty() || label.starts_with('-') || label.ends_with('-') {
        return Err(invalid());
    }
    if let Some(c) = label
        .chars()
        .find(|&c| c.is_ascii() && !(c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(EmailError::InvalidDomainChar(c));
    }
    let ascii = if label.is_ascii() {
        label.to_string()
    } else {
        let encoded = crate::punycode::encode(label).ok_or_else(invalid)?;
        "xn--".to_owned() + &encoded
    };
    if ascii.len() > MAX_LABEL_LEN {
        return Err(invalid());
    }
    Ok(ascii)
}
