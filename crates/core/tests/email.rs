//! One person, however typed: the domain mapping held to the `idna` crate's
//! UTS #46 as an oracle, and every IME spelling of an address held to the
//! address itself.
// A test: a failed unwrap is a failed test, and names its line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use std::cell::Cell;

use doi_core::email::{Email, MAX_INPUT_LEN, MAX_LEN};
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// One thing typed into a domain, and what it means.
#[derive(Debug, Clone)]
enum Typed {
    /// An ASCII character, as is.
    Ascii(char),
    /// An ASCII character in its full-width form.
    FullWidth(char),
    /// A soft hyphen, which UTS #46 ignores.
    SoftHyphen,
    /// A letter outside ASCII: kana or accented Latin.
    Letter(char),
}

impl Typed {
    fn spelt(&self) -> Option<char> {
        match *self {
            Typed::Ascii(c) | Typed::Letter(c) => Some(c),
            Typed::FullWidth(c) => char::from_u32(u32::from(c) + 0xFEE0),
            Typed::SoftHyphen => Some('\u{AD}'),
        }
    }

    /// What it stands for, in lower case, for telling which labels are
    /// already punycode (`xn--`).
    fn meant(&self) -> Option<char> {
        match *self {
            Typed::Ascii(c) | Typed::FullWidth(c) => Some(c.to_ascii_lowercase()),
            Typed::Letter(c) => Some(c),
            Typed::SoftHyphen => None,
        }
    }
}

/// The characters a label is made of: mostly what a domain holds, some
/// symbols no domain may hold, in every form typed.
fn typed() -> impl Strategy<Value = Typed> {
    let ldh: Vec<char> = ('a'..='z')
        .chain('A'..='Z')
        .chain('0'..='9')
        .chain("--".chars())
        .collect();
    let symbols = vec!['_', '!', '@', '+', '~'];
    let letters: Vec<char> = ('\u{3041}'..='\u{3096}') // hiragana
        .chain('\u{30A1}'..='\u{30F6}') // katakana
        .chain('\u{C0}'..='\u{D6}') // accented Latin
        .chain('\u{D8}'..='\u{F6}')
        .chain('\u{F8}'..='\u{FF}')
        .collect();
    prop_oneof![
        16 => prop::sample::select(ldh.clone()).prop_map(Typed::Ascii),
        8 => prop::sample::select(ldh).prop_map(Typed::FullWidth),
        1 => prop::sample::select(symbols.clone()).prop_map(Typed::Ascii),
        1 => prop::sample::select(symbols).prop_map(Typed::FullWidth),
        1 => Just(Typed::SoftHyphen),
        6 => prop::sample::select(letters).prop_map(Typed::Letter),
    ]
}

/// A domain: labels (mostly short, some too long) between full stops of
/// every width, sometimes one at the end.
fn domain() -> impl Strategy<Value = (String, String)> {
    let label = prop_oneof![
        6 => prop::collection::vec(typed(), 1..12),
        1 => prop::collection::vec(typed(), 0..70),
    ];
    let stop = prop::sample::select(vec!['.', '．', '。', '｡']);
    (
        prop::collection::vec((label, stop.clone()), 1..6),
        prop::option::weighted(0.1, stop),
    )
        .prop_map(|(labels, trailing)| {
            let (mut spelt, mut meant) = (String::new(), String::new());
            for (i, (label, stop)) in labels.iter().enumerate() {
                if i > 0 {
                    spelt.push(*stop);
                    meant.push('.');
                }
                spelt.extend(label.iter().filter_map(Typed::spelt));
                meant.extend(label.iter().filter_map(Typed::meant));
            }
            if let Some(stop) = trailing {
                spelt.push(stop);
                meant.push('.');
            }
            (spelt, meant)
        })
}

/// What `local@domain` should normalise to, by UTS #46 (`idna`) and the
/// rules we add: a dot in the domain, a top-level domain that is a name,
/// RFC 5321's 254 octets in all, and the input limit before that.
///
/// Hyphens are checked first and last in a label, not in the third and
/// fourth places: names like `ab--cd` exist. The root dot is not allowed,
/// as we refuse a trailing dot.
fn oracle(local: &str, domain: &str) -> Option<String> {
    if local.len() + 1 + domain.len() > MAX_INPUT_LEN {
        return None;
    }
    let ascii = Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Verify,
        )
        .ok()?;
    let (_, tld) = ascii.rsplit_once('.')?;
    if tld.bytes().all(|b| b.is_ascii_digit()) || local.len() + 1 + ascii.len() > MAX_LEN {
        return None;
    }
    Some(local.to_owned() + "@" + &ascii)
}

#[test]
fn the_domain_is_mapped_as_uts46_maps_it() {
    let (accepted, refused) = (Cell::new(0), Cell::new(0));
    let mut runner = TestRunner::new(Config {
        source_file: Some(file!()),
        ..Config::with_cases(2_000)
    });
    runner
        .run(&domain(), |(spelt, meant)| {
            // Labels already in punycode are taken as they are, not decoded
            // and checked as UTS #46 does.
            if meant.split('.').any(|label| label.starts_with("xn--")) {
                return Err(TestCaseError::reject("an xn-- label"));
            }
            let ours = Email::parse(&("taro@".to_owned() + &spelt));
            let expected = oracle("taro", &spelt);
            prop_assert_eq!(
                ours.as_ref().ok().map(Email::as_str),
                expected.as_deref(),
                "{:?} (ours: {:?})",
                spelt,
                ours
            );
            let count = if ours.is_ok() { &accepted } else { &refused };
            count.set(count.get() + 1);
            Ok(())
        })
        .unwrap();
    // Both sides of "iff" were exercised, not just one.
    assert!(accepted.get() > 100, "only {} accepted", accepted.get());
    assert!(refused.get() > 100, "only {} refused", refused.get());
}

/// `s` as an IME in full-width mode types it (ASCII spaces stay).
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap(),
            c => c,
        })
        .collect()
}

const ATEXT: &str = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const LABEL: &str = r"[A-Za-z0-9]([A-Za-z0-9-]{0,8}[A-Za-z0-9])?";

fn ascii_address() -> impl Strategy<Value = String> {
    let local = format!(r"{ATEXT}{{1,10}}(\.{ATEXT}{{1,10}}){{0,2}}");
    let domain = format!(r"{LABEL}(\.{LABEL}){{0,2}}\.[A-Za-z][A-Za-z0-9]{{1,5}}");
    let regex = |r: &str| proptest::string::string_regex(r).unwrap();
    (regex(&local), regex(&domain)).prop_map(|(l, d)| l + "@" + &d)
}

proptest! {
    #[test]
    fn every_ime_spelling_of_an_address_is_the_same_person(
        a in ascii_address(),
        choices in prop::collection::vec(0u8..4, 80),
        padding in 0usize..3,
    ) {
        let expected = Email::parse(&a);
        prop_assert!(expected.is_ok(), "{} should parse: {:?}", a, expected);
        let (local, domain) = a.split_once('@').unwrap();
        let with_at = local.to_owned() + "＠" + domain;
        let with_stops = local.to_owned() + "@" + &domain.replace('.', "。");
        // Each character plain or full-width, each dot of the domain in one
        // of its four widths, ideographic spaces around.
        let mut mixed = "\u{3000}".repeat(padding);
        let in_domain = local.chars().count() + 1;
        for (i, (c, &choice)) in a.chars().zip(choices.iter().cycle()).enumerate() {
            match (c, choice) {
                ('.', _) if i >= in_domain => mixed.push(['.', '．', '。', '｡'][usize::from(choice)]),
                (c, 0 | 1) => mixed.push(c),
                (c, _) => mixed.push_str(&full_width(&c.to_string())),
            }
        }
        mixed.push_str(&"\u{3000}".repeat(padding));
        for typed in [full_width(&a), with_at, with_stops, mixed] {
            prop_assert_eq!(&Email::parse(&typed), &expected, "{}", typed);
        }
    }

    #[test]
    fn a_full_width_spelling_is_decided_as_its_ascii(s in "[ -~]{0,300}") {
        prop_assert_eq!(Email::parse(&full_width(&s)), Email::parse(&s));
    }
}
