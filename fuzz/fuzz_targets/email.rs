//! Email parsing: never panics; whatever it accepts is normalised for good.
#![no_main]
use doi_core::email::{Email, MAX_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(e) = Email::parse(s) {
        assert!(e.as_str().len() <= MAX_LEN);
        assert_eq!(Email::parse(e.as_str()).as_ref(), Ok(&e), "normalising twice changed it");
        assert!(!e.as_str().chars().any(char::is_whitespace));
    }
});
