//! Email addresses: parsed once, normalised, then trusted.
//!
//! Normalisation decides who a person is for consent purposes, so it leans
//! towards treating two spellings as the same person, and an unsubscribe must
//! reach every spelling of the address:
//!
//! - surrounding whitespace is trimmed, the ideographic space U+3000 too;
//! - full-width ASCII forms (U+FF01–U+FF5E, what a Japanese IME types, `＠`
//!   included) are ASCII, everywhere in the address;
//! - the whole address is lower-cased (the local part is case-sensitive in
//!   theory, but no mainstream mailbox provider treats it so);
//! - the domain is mapped as UTS #46 maps typed text (full-width and
//!   ideographic full stops are dots, a soft hyphen is nothing; see
//!   `email/domain.rs`) and written in ASCII (punycode).
//!
//! The RFC 5321 limits bound the work: an input too long to be an address
//! is refused before any Unicode work, and the normalised address is then
//! held to 64 octets before the `@` and 254 in all.
//!
//! Quoted local parts and IP-literal domains are refused: they are legal in
//! RFC 5321 but never seen in real signups, and accepting them widens the
//! attack surface for nothing.

use crate::prelude::*;

use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

mod domain;
mod local;
mod typed;

/// Longest address RFC 5321 allows (a path is 256 octets including `<>`).
pub const MAX_LEN: usize = 254;
/// Longest local part RFC 5321 allows.
pub const MAX_LOCAL_LEN: usize = 64;
/// Longest input looked at, in bytes, before any Unicode work: no character
/// this module maps or encodes takes more than four bytes of UTF-8 per octet
/// of the normalised address, so a longer input cannot be a valid address
/// (short of hundreds of soft hyphens or spaces, which nobody types), and
/// the work per call stays bounded whatever is sent.
pub const MAX_INPUT_LEN: usize = 4 * MAX_LEN;

/// Why an address was refused. Each case tells the person what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    /// Nothing was entered.
    #[error("the email address is empty")]
    Empty,
    /// Longer than 254 octets once normalised, or longer than
    /// [`MAX_INPUT_LEN`] bytes as entered.
    #[error("the email address is longer than {MAX_LEN} characters")]
    TooLong,
    /// No `@`.
    #[error("the email address has no @")]
    MissingAt,
    /// More than one `@`.
    #[error("the email address has more than one @")]
    MultipleAt,
    /// Nothing before the `@`.
    #[error("the part before the @ is empty")]
    EmptyLocalPart,
    /// The part before the `@` is longer than 64 octets.
    #[error("the part before the @ is longer than {MAX_LOCAL_LEN} characters")]
    LocalPartTooLong,
    /// Nothing after the `@`.
    #[error("the part after the @ is empty")]
    EmptyDomain,
    /// A space (an ideographic one too), tab or line break inside the address.
    #[error("the email address contains a space")]
    Whitespace,
    /// A control character (or other invisible character) inside.
    #[error("the email address contains a control character")]
    ControlCharacter,
    /// A character that is not allowed before the `@`.
    #[error("the part before the @ contains {0:?}, which is not allowed")]
    InvalidLocalChar(char),
    /// A dot at the start or end of the local part, or two dots together.
    #[error("the part before the @ has a misplaced dot")]
    MisplacedDot,
    /// The domain ends with a dot (`user@example.com.`).
    #[error("the email address ends with a dot; remove it")]
    TrailingDot,
    /// The domain has no dot (`user@localhost`).
    #[error("the domain needs a dot, like example.com")]
    DomainWithoutDot,
    /// A domain label is empty, too long, or starts/ends with a hyphen.
    #[error("the domain part {0:?} is not a valid domain name")]
    InvalidDomainLabel(String),
    /// A character that cannot appear in a domain name.
    #[error("the domain contains {0:?}, which is not allowed")]
    InvalidDomainChar(char),
    /// The top-level domain is all digits (an IP address, not a name).
    #[error("the domain must be a name, not an IP address")]
    NumericTopLevelDomain,
}

/// A syntactically valid, normalised email address.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Email(String);

impl Email {
    /// Parses and normalises `input`.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        Email::parse_with(input, str::to_lowercase)
    }

    /// [`Email::parse`] with the caller's Unicode lower-casing, which must be
    /// the full default case mapping (as `str::to_lowercase` and
    /// JavaScript's `toLowerCase` are). The browser widget passes the
    /// browser's own: Rust's case tables would add about 19 KB to every
    /// visitor's download for the rare address that is not ASCII.
    pub fn parse_with(input: &str, lowercase: fn(&str) -> String) -> Result<Email, EmailError> {
        if input.len() > MAX_INPUT_LEN {
            return Err(EmailError::TooLong);
        }
        // `trim` takes Unicode's White_Space, the ideographic space included.
        let s = typed::ascii_from_full_width(input.trim());
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(EmailError::Whitespace);
        }
        if s.chars().any(is_invisible) {
            return Err(EmailError::ControlCharacter);
        }
        let mut parts = s.split('@');
        let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
            (Some(l), Some(d), None) => (l, d),
            (_, None, _) => return Err(EmailError::MissingAt),
            _ => return Err(EmailError::MultipleAt),
        };
        let local = local::parse(local, lowercase)?;
        let domain = domain::parse(domain, lowercase)?;
        // Concatenated, not `format!`: the widget parses addresses, and
        // formatting machinery costs every visitor kilobytes.
        let mut whole = local;
        whole.push('@');
        whole.push_str(&domain);
        if whole.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        Ok(Email(whole))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalised domain (ASCII).
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

/// Characters a person cannot see. The soft hyphen is left to the parts:
/// the domain ignores it as UTS #46 does, the local part refuses it.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Debug never prints the address: it could end up in a log line.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email(<{} chars>@{})", self.0.len(), self.domain())
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Email::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err(s: &str) -> EmailError {
        Email::parse(s).unwrap_err()
    }

    #[test]
    fn the_callers_lowercasing_is_the_one_applied() {
        let only_b = |s: &str| s.replace('B', "b");
        assert_eq!(
            Email::parse_with("AB@BOOKS.EXAMPLE", only_b)
                .unwrap()
                .as_str(),
            "Ab@bOOKS.EXAMPLE"
        );
        assert_eq!(
            Email::parse_with("Ö@Bücher.DE", str::to_lowercase),
            Email::parse("ö@bücher.de")
        );
    }

    #[test]
    fn normalises_case_whitespace_and_idn() {
        assert_eq!(
            Email::parse("  Taro.Yamada@Example.CO.JP \n")
                .unwrap()
                .as_str(),
            "taro.yamada@example.co.jp"
        );
        assert_eq!(
            Email::parse("info@例え.テスト").unwrap().as_str(),
            "info@xn--r8jz45g.xn--zckzah"
        );
        assert_eq!(
            Email::parse("a@bücher.de").unwrap().domain(),
            "xn--bcher-kva.de"
        );
        assert_eq!(
            Email::parse("a@例え。テスト").unwrap().as_str(),
            "a@xn--r8jz45g.xn--zckzah"
        );
    }

    #[test]
    fn each_rejection_has_its_own_error() {
        assert_eq!(err("   "), EmailError::Empty);
        assert_eq!(err("no-at.example.com"), EmailError::MissingAt);
        assert_eq!(err("a@b@example.com"), EmailError::MultipleAt);
        assert_eq!(err("@example.com"), EmailError::EmptyLocalPart);
        assert_eq!(
            err(&format!("{}@example.com", "a".repeat(65))),
            EmailError::LocalPartTooLong
        );
        assert_eq!(err("user@"), EmailError::EmptyDomain);
        assert_eq!(err("us er@example.com"), EmailError::Whitespace);
        assert_eq!(err("user\u{0}@example.com"), EmailError::ControlCharacter);
        assert_eq!(
            err("us\u{200B}er@example.com"),
            EmailError::ControlCharacter
        );
        assert_eq!(err("us(er@example.com"), EmailError::InvalidLocalChar('('));
        assert_eq!(err(".user@example.com"), EmailError::MisplacedDot);
        assert_eq!(err("us..er@example.com"), EmailError::MisplacedDot);
        assert_eq!(err("user.@example.com"), EmailError::MisplacedDot);
        assert_eq!(err("user@localhost"), EmailError::DomainWithoutDot);
        assert_eq!(err("user@example.com."), EmailError::TrailingDot);
        assert_eq!(
            err("user@-example.com"),
            EmailError::InvalidDomainLabel("-example".into())
        );
        assert_eq!(
            err("user@example..com"),
            EmailError::InvalidDomainLabel(String::new())
        );
        assert_eq!(
            err(&format!("user@{}.com", "a".repeat(64))),
            EmailError::InvalidDomainLabel("a".repeat(64))
        );
        assert_eq!(err("user@exa_mple.com"), EmailError::InvalidDomainChar('_'));
        assert_eq!(err("user@[127.0.0.1]"), EmailError::InvalidDomainChar('['));
        assert_eq!(err("user@127.0.0.1"), EmailError::NumericTopLevelDomain);
        let long = format!(
            "{}@{}.{}.{}.{}.com",
            "a".repeat(60),
            "b".repeat(60),
            "c".repeat(60),
            "d".repeat(60),
            "e".repeat(10)
        );
        assert_eq!(err(&long), EmailError::TooLong);
    }

    #[test]
    fn the_longest_address_counts_octets_after_normalising() {
        // The longest address there is, typed full-width and padded with
        // ideographic spaces up to the input limit, is still that address.
        let domain = [
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(60),
        ]
        .join(".");
        let plain = "e@".to_owned() + &domain;
        assert_eq!(plain.len(), MAX_LEN);
        let mut typed = typed::tests::full_width(&plain);
        while typed.len() + '\u{3000}'.len_utf8() <= MAX_INPUT_LEN {
            typed.push('\u{3000}');
        }
        assert_eq!(Email::parse(&typed).unwrap().as_str(), plain);
        assert_eq!(err(&(typed + "\u{3000}")), EmailError::TooLong);
    }

    #[test]
    fn an_absurdly_long_input_is_refused_before_any_unicode_work() {
        fn no_unicode_work(_: &str) -> String {
            panic!("lower-cased an input that was too long to be an address")
        }
        // 100 KB that would trim to a valid address, and 100 KB of one
        // label whose punycode alone would take seconds.
        let padded = "\u{3000}".repeat(100_000 / 3) + "taro@example.com";
        let label: String = ('\u{4E00}'..'\u{9FFF}').cycle().take(33_000).collect();
        let huge_label = "taro@".to_owned() + &label + ".jp";
        for input in [padded, huge_label] {
            assert!(input.len() >= 99_000);
            let start = std::time::Instant::now();
            assert_eq!(
                Email::parse_with(&input, no_unicode_work),
                Err(EmailError::TooLong)
            );
            assert!(start.elapsed() < std::time::Duration::from_secs(1));
        }
    }

    #[test]
    fn debug_output_hides_the_address() {
        let e = Email::parse("secret.person@example.com").unwrap();
        let shown = format!("{e:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    proptest! {
        #[test]
        fn normalising_is_idempotent(s in "\\PC{0,80}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
                prop_assert!(e.as_str().len() <= MAX_LEN);
                prop_assert!(e.as_str().is_ascii() || e.as_str().split('@').next().is_some_and(|l| !l.is_ascii()));
            }
        }

        #[test]
        fn valid_ascii_addresses_parse(local in "[a-z0-9]{1,20}([.+_-][a-z0-9]{1,10}){0,2}", domain in "[a-z0-9]{1,20}(-[a-z0-9]{1,5})?\\.[a-z]{2,6}") {
            let addr = format!("{local}@{domain}");
            prop_assert_eq!(Email::parse(&addr.to_uppercase()).map(|e| e.to_string()), Ok(addr));
        }
    }
}
