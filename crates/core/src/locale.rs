//! The two languages every page and widget string exists in, and how one is
//! chosen: an explicit choice (`?lang=`, `data-locale`) first, then the
//! page's or browser's preferences (`lang`, `Accept-Language`), then the
//! sender's default.

use core::fmt;
use serde::{Deserialize, Serialize};

/// A language Dōi speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// 日本語
    Ja,
    /// English
    En,
}

/// Longest `Accept-Language` value we look at; browsers send well under 200.
const MAX_HEADER: usize = 1024;

impl Locale {
    /// Every locale, in display order.
    pub const ALL: [Locale; 2] = [Locale::Ja, Locale::En];

    /// The BCP 47 tag (`ja`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Ja => "ja",
            Locale::En => "en",
        }
    }

    /// The language's own name, for a language switcher.
    pub fn name(self) -> &'static str {
        match self {
            Locale::Ja => "日本語",
            Locale::En => "English",
        }
    }

    /// Recognises a single language tag (`ja`, `ja-JP`, `EN-us`, `en_GB`).
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?;
        if primary.eq_ignore_ascii_case("ja") {
            Some(Locale::Ja)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Chooses a locale: `explicit` wins if recognised, then the best match in
    /// `preferences` (an `Accept-Language` value or a list of tags separated by
    /// commas), then `default`.
    pub fn negotiate(explicit: Option<&str>, preferences: Option<&str>, default: Locale) -> Locale {
        explicit
            .and_then(Locale::from_tag)
            .or_else(|| preferences.and_then(best_of_accept_language))
            .unwrap_or(default)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// The recognised language with the highest quality in an `Accept-Language`
/// value; ties go to the one listed first. Malformed entries are skipped.
pub fn best_of_accept_language(header: &str) -> Option<Locale> {
    let header = header.get(..MAX_HEADER).unwrap_or(header);
    let mut best: Option<(u16, Locale)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let Some(locale) = parts.next().and_then(Locale::from_tag) else {
            continue;
        };
        let mut q = 1000u16;
        for param in parts {
            if let Some(v) = param.trim().strip_prefix("q=") {
                match parse_q(v) {
                    Some(v) => q = v,
                    None => q = 0,
                }
            }
        }
        if q > 0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, locale));
        }
    }
    best.map(|(_, l)| l)
}

/// A q-value (`0`, `0.8`, `1.000`) in thousandths.
fn parse_q(v: &str) -> Option<u16> {
    let v = v.trim();
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut thousandths = 0u16;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    let q = whole + thousandths;
    (q <= 1000).then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn explicit_choice_wins() {
        assert_eq!(
            Locale::negotiate(Some("en"), Some("ja"), Locale::Ja),
            Locale::En
        );
        assert_eq!(
            Locale::negotiate(Some("fr"), Some("ja-JP,en;q=0.5"), Locale::En),
            Locale::Ja
        );
    }

    #[test]
    fn accept_language_by_quality_then_order() {
        assert_eq!(
            best_of_accept_language("fr-CH, fr;q=0.9, en;q=0.8, ja;q=0.7"),
            Some(Locale::En)
        );
        assert_eq!(
            best_of_accept_language("ja;q=0.4, en-US;q=0.9"),
            Some(Locale::En)
        );
        assert_eq!(
            best_of_accept_language("en;q=0.5, ja;q=0.5"),
            Some(Locale::En)
        );
        assert_eq!(best_of_accept_language("ja-JP"), Some(Locale::Ja));
        assert_eq!(
            best_of_accept_language("en;q=0, ja;q=0.1"),
            Some(Locale::Ja)
        );
        assert_eq!(best_of_accept_language("de, fr"), None);
        assert_eq!(best_of_accept_language("en;q=2, ja;q=abc"), None);
    }

    #[test]
    fn falls_back_to_the_default() {
        assert_eq!(Locale::negotiate(None, None, Locale::Ja), Locale::Ja);
        assert_eq!(Locale::negotiate(None, Some("*"), Locale::En), Locale::En);
    }

    proptest! {
        #[test]
        fn any_header_is_handled_without_panic(h in "\\PC{0,300}") {
            let _ = Locale::negotiate(None, Some(&h), Locale::En);
        }
    }
}
