//! doi.toml loading: never panics; whatever loads passes validation again.
#![no_main]
use doi_core::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(c) = Config::from_toml(s) {
        assert!(c.validate().is_ok());
        for f in &c.forms {
            assert!(c.list(&f.list).is_some());
        }
    }
});
