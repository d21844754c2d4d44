//! Accept-Language negotiation: never panics, always answers a locale.
#![no_main]
use doi_core::Locale;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let (explicit, header) = s.split_once('\n').unwrap_or(("", s));
    let l = Locale::negotiate(Some(explicit), Some(header), Locale::Ja);
    assert!(Locale::ALL.contains(&l));
});
