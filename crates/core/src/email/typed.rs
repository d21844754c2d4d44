//! What people type that means ASCII: the full-width forms a Japanese IME
//! produces, mapped by arithmetic (no Unicode tables reach the widget).
//!
//! Spaces are not here: `str::trim` and `char::is_whitespace` already know
//! the ideographic space U+3000, and the tests below hold them to it.

use crate::prelude::*;

/// Full-width ASCII forms as ASCII: U+FF01..=U+FF5E are `!`..=`~` moved up
/// by 0xFEE0, which is what a Japanese IME types in full-width mode.
pub(super) fn ascii_from_full_width(s: &str) -> String {
    s.chars()
        .map(|c| match u32::from(c) {
            full @ 0xFF01..=0xFF5E => char::from((full - 0xFEE0) as u8),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{Email, EmailError};
    use crate::prelude::*;

    fn err(s: &str) -> EmailError {
        Email::parse(s).unwrap_err()
    }

    fn same_person(typed: &str, plain: &str) {
        assert_eq!(Email::parse(typed), Email::parse(plain), "{typed}");
        assert!(Email::parse(plain).is_ok(), "{plain}");
    }

    #[test]
    fn full_width_letters_are_the_same_person() {
        same_person("ｔａｒｏ@example.com", "taro@example.com");
        same_person("ＴＡＲＯ@ＥＸＡＭＰＬＥ.ＣＯＭ", "taro@example.com");
        same_person("taro@ｅｘａｍｐｌｅ.com", "taro@example.com");
    }

    #[test]
    fn full_width_digits_and_symbols_are_the_same_person() {
        same_person(
            "ｙａｍａｄａ．ｔａｒｏ＋ｎｅｗｓ０１＠ｅｘａｍｐｌｅ－ｍａｉｌ．ｃｏ．ｊｐ",
            "yamada.taro+news01@example-mail.co.jp",
        );
        same_person("o＇brien＿１@example.ie", "o'brien_1@example.ie");
    }

    #[test]
    fn a_full_width_at_separates_the_parts() {
        same_person("taro＠example.com", "taro@example.com");
        assert_eq!(err("taro＠＠example.com"), EmailError::MultipleAt);
        assert_eq!(err("taro@b＠example.com"), EmailError::MultipleAt);
    }

    #[test]
    fn a_full_width_full_stop_in_the_domain_is_a_dot() {
        same_person("taro@example．com", "taro@example.com");
    }

    #[test]
    fn ideographic_spaces_around_the_address_are_trimmed() {
        same_person(
            "\u{3000}taro@example.com\u{3000}\u{3000}",
            "taro@example.com",
        );
        same_person(
            " \u{3000}\tｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ\u{3000}\n",
            "taro@example.com",
        );
        assert_eq!(err("\u{3000}"), EmailError::Empty);
    }

    #[test]
    fn an_ideographic_space_inside_is_a_space() {
        assert_eq!(
            err("taro\u{3000}yamada@example.com"),
            EmailError::Whitespace
        );
        assert_eq!(err("taro@example\u{3000}.com"), EmailError::Whitespace);
    }

    #[test]
    fn a_full_width_character_that_is_not_allowed_is_refused_as_its_ascii() {
        assert_eq!(err("ta（ro@example.com"), EmailError::InvalidLocalChar('('));
        assert_eq!(
            err("taro@exa＿mple.com"),
            EmailError::InvalidDomainChar('_')
        );
        assert_eq!(err("．taro@example.com"), EmailError::MisplacedDot);
        assert_eq!(err("taro@example.com。"), EmailError::TrailingDot);
    }

    /// `s` as an IME in full-width mode types it.
    pub(in crate::email) fn full_width(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap(),
                c => c,
            })
            .collect()
    }
}
