//! The subscribe payload: any JSON body is either refused or becomes
//! evidence whose text is exactly the form's current text.
#![no_main]
use doi_core::config::Config;
use doi_core::consent::ConsentRecord;
use doi_core::event::Method;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CONFIG: OnceLock<Config> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let config = CONFIG.get_or_init(|| Config::from_toml(include_str!("../../doi.toml")).unwrap());
    let Ok(record) = serde_json::from_slice::<ConsentRecord>(data) else { return };
    if let Ok(checked) = record.check(config, Method::Widget, Some("fuzz")) {
        assert!(record.consent);
        assert_eq!(checked.evidence.consent_version, checked.form.consent_version(record.locale));
        assert!(!checked.topics.is_empty() || config.offered_topics(&checked.form).is_empty());
    }
});
