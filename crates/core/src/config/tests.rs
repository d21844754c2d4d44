//! `doi.toml` as the sender writes it: the demo loads, and each broken rule
//! is refused naming its field.

use super::*;

const DEMO: &str = include_str!("../../../../doi.toml");

fn with(find: &str, replace: &str) -> Result<Config, ConfigError> {
    assert!(DEMO.contains(find), "test fixture out of date: {find}");
    Config::from_toml(&DEMO.replacen(find, replace, 1))
}

fn field_of(r: Result<Config, ConfigError>) -> String {
    match r {
        Err(ConfigError::Invalid { field, .. }) => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn the_shipped_demo_config_loads() {
    let c = Config::from_toml(DEMO).unwrap();
    assert_eq!(c.lists.len(), 2);
    assert_eq!(c.lists[0].topics.len(), 3);
    assert_eq!(c.lists[0].frequencies.len(), 2);
    assert_eq!(c.forms.len(), 6);
    assert!(c.forms.iter().any(|f| f.mode == FormMode::Attach));
    for f in &c.forms {
        assert_ne!(f.consent_version(Locale::Ja), f.consent_version(Locale::En));
    }
}

#[test]
fn syntax_errors_and_unknown_fields_are_reported() {
    assert!(matches!(
        Config::from_toml("[sender"),
        Err(ConfigError::Syntax(_))
    ));
    let e = with("[sender]", "[sender]\ncolour = \"red\"").unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
}

#[test]
fn each_rule_names_its_field() {
    assert_eq!(
        field_of(with("contact_email = \"", "contact_email = \"x@")),
        "sender.contact_email"
    );
    assert_eq!(
        field_of(with("list = \"newsletter\"", "list = \"nope\"")),
        "forms[0].list"
    );
    assert_eq!(
        field_of(with(
            "default_frequency = \"weekly\"",
            "default_frequency = \"daily\""
        )),
        "lists[0].default_frequency"
    );
    assert_eq!(
        field_of(with("privacy_url = \"https://", "privacy_url = \"ftp://")),
        "forms[0].privacy_url"
    );
    assert_eq!(
        field_of(with(
            "allowed_origins = [\"",
            "allowed_origins = [\"https://x.example/path\", \""
        )),
        "forms[0].allowed_origins[0]"
    );
    assert_eq!(
        field_of(with("topics = [\"product\"", "topics = [\"missing\"")),
        "forms[0].topics[0]"
    );
    assert_eq!(
        field_of(with("ttl_hours = 72", "ttl_hours = 0")),
        "confirmation.ttl_hours"
    );
    assert_eq!(
        field_of(with(
            "max_per_address_per_day = 3",
            "max_per_address_per_day = 0"
        )),
        "confirmation.max_per_address_per_day"
    );
    assert_eq!(
        field_of(with("min_fill_ms = 1500", "min_fill_ms = 600000")),
        "forms[0].min_fill_ms"
    );
    assert_eq!(
        field_of(with("unsubscribe_mailto = \"", "unsubscribe_mailto = \"@")),
        "mail.unsubscribe_mailto"
    );
    assert_eq!(
        field_of(with(
            "contact_url = \"https://",
            "contact_url = \"javascript:"
        )),
        "sender.contact_url"
    );
}

#[test]
fn empty_texts_and_duplicates_are_refused() {
    let c = Config::from_toml(DEMO).unwrap();
    let mut bad = c.clone();
    bad.forms[1].consent.en = " ".into();
    assert_eq!(
        field_of(bad.validate().map(|_| bad.clone())),
        "forms[1].consent.en"
    );
    let mut bad = c.clone();
    let dup = bad.forms[0].clone();
    bad.forms.push(dup);
    assert_eq!(
        field_of(bad.validate().map(|_| bad.clone())),
        format!("forms[{}].id", c.forms.len())
    );
    let mut bad = c.clone();
    let dup = bad.lists[0].topics[0].clone();
    bad.lists[0].topics.push(dup);
    assert_eq!(
        field_of(bad.validate().map(|_| bad.clone())),
        "lists[0].topics[3].id"
    );
    let mut bad = c.clone();
    bad.lists[0].frequencies.clear();
    assert_eq!(
        field_of(bad.validate().map(|_| bad.clone())),
        "lists[0].frequencies"
    );
    let mut bad = c.clone();
    let dup = bad.lists[0].clone();
    bad.lists.push(dup);
    assert_eq!(field_of(bad.validate().map(|_| bad.clone())), "lists[2].id");
    let mut bad = c.clone();
    bad.lists.clear();
    assert_eq!(field_of(bad.validate().map(|_| bad.clone())), "lists");
    let mut bad = c.clone();
    bad.confirmation = None;
    assert!(field_of(bad.validate().map(|_| bad.clone())).ends_with(".double_opt_in"));
    let mut bad = c;
    bad.confirmation.as_mut().unwrap().delivery = Delivery::Resend {
        from: "nobody".into(),
    };
    assert_eq!(
        field_of(bad.validate().map(|_| bad.clone())),
        "confirmation.delivery.from"
    );
}

#[test]
fn json_round_trip_keeps_the_config() {
    let c = Config::from_toml(DEMO).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(Config::from_json(&json).unwrap(), c);
}

#[test]
fn consent_max_age_is_optional_and_bounded() {
    let c = Config::from_toml(DEMO).unwrap();
    assert_eq!(c.consent_max_age(&c.lists[0].id), None);
    assert_eq!(
        c.consent_max_age(&c.lists[1].id),
        Some(365 * crate::time::DAY)
    );
    for bad in ["0", "36501"] {
        assert_eq!(
            field_of(with(
                "consent_max_age_days = 365",
                &format!("consent_max_age_days = {bad}")
            )),
            "lists[1].consent_max_age_days"
        );
    }
}
