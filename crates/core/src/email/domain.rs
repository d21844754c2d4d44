//! The part after the `@`: mapped as UTS #46 maps what people type, checked
//! label by label, then written in ASCII (punycode).
//!
//! Only the mappings an IME or a copied text produces are made here, by
//! arithmetic and `match`, not UTS #46's tables (they would be most of the
//! widget's download): full-width forms are already ASCII when this module
//! sees the domain, the full-width and ideographic full stops are dots, and
//! a soft hyphen is nothing. A domain that needs more of UTS #46 (NFC,
//! half-width katakana) is still accepted, just not folded to the same
//! person as its mapped form.

use crate::prelude::*;

use super::{EmailError, MAX_LEN};

/// Longest domain label, in ASCII.
const MAX_LABEL_LEN: usize = 63;
/// What every label in punycode starts with.
const ACE_PREFIX: &str = "xn--";

/// The domain `domain` names, lower-cased by `lowercase`, in ASCII.
///
/// A trailing dot (the DNS root) is refused rather than dropped: UTS #46
/// with DNS lengths checked refuses it too, RFC 5321 has no place for it in
/// an address, and the person can see and remove it.
pub(super) fn parse(domain: &str, lowercase: fn(&str) -> String) -> Result<String, EmailError> {
    let mapped: String = domain.chars().filter_map(uts46_typed).collect();
    if mapped.is_empty() {
        return Err(EmailError::EmptyDomain);
    }
    if mapped.ends_with('.') {
        return Err(EmailError::TrailingDot);
    }
    let lower = lowercase(&mapped);
    let labels: Vec<&str> = lower.split('.').collect();
    if labels.len() < 2 {
        return Err(EmailError::DomainWithoutDot);
    }
    let mut ascii = String::with_capacity(lower.len());
    for label in &labels {
        if !ascii.is_empty() {
            ascii.push('.');
        }
        ascii.push_str(&parse_label(label)?);
        if ascii.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(EmailError::NumericTopLevelDomain);
    }
    Ok(ascii)
}

/// UTS #46's mapping of the characters people type into a domain without
/// meaning anything else: full stops of other widths are dots, and a soft
/// hyphen, invisible, is ignored. (`Email::parse` has already made U+FF0E a
/// `.`; it is here too so that this rule reads whole.)
fn uts46_typed(c: char) -> Option<char> {
    match c {
        '\u{3002}' | '\u{FF0E}' | '\u{FF61}' => Some('.'),
        '\u{AD}' => None,
        c => Some(c),
    }
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
    if label.is_ascii() {
        return if label.len() > MAX_LABEL_LEN {
            Err(invalid())
        } else {
            Ok(label.to_string())
        };
    }
    // Punycode spends at least one letter per character: a label of more
    // characters than fit cannot fit, and is refused before the encoder
    // (quadratic in the label) runs.
    if label.chars().count() > MAX_LABEL_LEN - ACE_PREFIX.len() {
        return Err(invalid());
    }
    let encoded = crate::punycode::encode(label).ok_or_else(invalid)?;
    if ACE_PREFIX.len() + encoded.len() > MAX_LABEL_LEN {
        return Err(invalid());
    }
    Ok(ACE_PREFIX.to_owned() + &encoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::Email;

    fn domain(s: &str) -> Result<String, EmailError> {
        parse(s, str::to_lowercase)
    }

    #[test]
    fn full_stops_of_every_width_are_dots() {
        for d in ["example.com", "example．com", "example。com", "example｡com"] {
            assert_eq!(domain(d).as_deref(), Ok("example.com"), "{d}");
        }
        assert_eq!(
            domain("例え。テスト").as_deref(),
            Ok("xn--r8jz45g.xn--zckzah")
        );
    }

    #[test]
    fn a_soft_hyphen_in_the_domain_is_nothing() {
        assert_eq!(domain("exa\u{AD}mple.com").as_deref(), Ok("example.com"));
        assert_eq!(domain("b\u{AD}ücher.de").as_deref(), Ok("xn--bcher-kva.de"));
        assert_eq!(
            domain("example.\u{AD}.com"),
            Err(EmailError::InvalidDomainLabel(String::new()))
        );
        assert_eq!(domain("\u{AD}"), Err(EmailError::EmptyDomain));
    }

    #[test]
    fn a_domain_typed_with_an_ime_is_the_same_person() {
        let plain = Email::parse("taro@example.co.jp");
        for typed in ["taro@example。co｡jp", "taro@exa\u{AD}mple．co.jp"] {
            assert_eq!(Email::parse(typed), plain, "{typed}");
        }
    }

    #[test]
    fn a_trailing_dot_of_any_width_is_refused() {
        for d in ["example.com.", "example.com。", "example.com．", "."] {
            assert_eq!(domain(d), Err(EmailError::TrailingDot), "{d}");
        }
    }

    #[test]
    fn a_label_too_long_for_punycode_is_refused_before_encoding() {
        let long = "あ".repeat(MAX_LABEL_LEN - ACE_PREFIX.len() + 1);
        assert_eq!(
            domain(&(long.clone() + ".jp")),
            Err(EmailError::InvalidDomainLabel(long))
        );
        // 59 distinct kana encode to more than 59 letters: still too long.
        let distinct: String = ('\u{3041}'..='\u{307B}').collect();
        assert_eq!(distinct.chars().count(), 59);
        assert_eq!(
            domain(&(distinct.clone() + ".jp")),
            Err(EmailError::InvalidDomainLabel(distinct))
        );
        assert_eq!(domain("ひらがな.jp").as_deref(), Ok("xn--v8j0cwa6g.jp"));
    }
}
