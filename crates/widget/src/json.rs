//! JSON at the widget's edge: the Worker's answers (already parsed by the
//! browser's `response.json()`) read into doi-core's types field by field,
//! and the consent record written as JSON text.
//!
//! Why not serde here: its deserializers carry error messages that format
//! floating-point numbers, which alone pulled about 25 KB of number
//! formatting into the widget, and serde-wasm-bindgen's serializer another
//! 5 KB (measured with the name section kept). Reading a dozen fields and
//! writing one flat object by hand costs a few hundred bytes. Every check
//! stays in doi-core (`FormId::parse`, `ConsentVersion::from_hex`, …), and a
//! native test holds the written record equal to what serde writes.

use crate::prelude::*;

use doi_core::config::{FormMode, Localized};
use doi_core::consent::ConsentRecord;
use doi_core::form::{ConsentText, FormDefinition, OfferedTopic};
use doi_core::hash::hex;
use doi_core::{ConsentVersion, FormId, ListId, Locale, TopicId};
use js_sys::{Array, Reflect};

use wasm_bindgen::JsValue;

/// A field that is missing or not what the contract says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadField(pub &'static str);

type Read<T> = Result<T, BadField>;

fn field(object: &JsValue, name: &'static str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A string field.
pub fn string(object: &JsValue, name: &'static str) -> Read<String> {
    field(object, name).as_string().ok_or(BadField(name))
}

/// A boolean field.
pub fn boolean(object: &JsValue, name: &'static str) -> Read<bool> {
    field(object, name).as_bool().ok_or(BadField(name))
}

fn number(object: &JsValue, name: &'static str) -> Read<u64> {
    match field(object, name).as_f64() {
        // A whole number in u64's range (`fract` is not in `core`).
        Some(n) if (0.0..18_446_744_073_709_551_616.0).contains(&n) && n == (n as u64) as f64 => {
            Ok(n as u64)
        }
        _ => Err(BadField(name)),
    }
}

fn parsed<T>(object: &JsValue, name: &'static str, parse: fn(&str) -> Option<T>) -> Read<T> {
    parse(&string(object, name)?).ok_or(BadField(name))
}

fn localized(object: &JsValue, name: &'static str) -> Read<Localized> {
    let value = field(object, name);
    Ok(Localized {
        ja: string(&value, "ja").map_err(|_| BadField(name))?,
        en: string(&value, "en").map_err(|_| BadField(name))?,
    })
}

fn consent_text(object: &JsValue, name: &'static str) -> Read<ConsentText> {
    let value = field(object, name);
    let text = string(&value, "text").map_err(|_| BadField(name))?;
    let version =
        parsed(&value, "version", ConsentVersion::from_hex).map_err(|_| BadField(name))?;
    Ok(ConsentText { text, version })
}

/// The body of `GET /v1/forms/{id}`.
pub fn form_definition(body: &JsValue) -> Read<FormDefinition> {
    let mode = match string(body, "mode")?.as_str() {
        "form" => FormMode::Form,
        "attach" => FormMode::Attach,
        _ => return Err(BadField("mode")),
    };
    let topics = field(body, "topics");
    if !Array::is_array(&topics) {
        return Err(BadField("topics"));
    }
    let topics = Array::from(&topics)
        .iter()
        .map(|topic| {
            Ok(OfferedTopic {
                id: parsed(&topic, "id", TopicId::parse).map_err(|_| BadField("topics"))?,
                name: localized(&topic, "name").map_err(|_| BadField("topics"))?,
            })
        })
        .collect::<Read<Vec<_>>>()?;
    Ok(FormDefinition {
        id: parsed(body, "id", FormId::parse)?,
        list: parsed(body, "list", ListId::parse)?,
        mode,
        title: localized(body, "title")?,
        sender: localized(body, "sender")?,
        consent_ja: consent_text(body, "consent_ja")?,
        consent_en: consent_text(body, "consent_en")?,
        topics,
        privacy_url: string(body, "privacy_url")?,
        double_opt_in: boolean(body, "double_opt_in")?,
        min_fill_ms: number(body, "min_fill_ms")?,
        default_locale: parsed(body, "default_locale", Locale::from_tag)?,
    })
}

/// `record` as JSON text: the same object serde would write (`ConsentRecord`
/// is the body of `POST /v1/subscribe`).
pub fn consent_record(record: &ConsentRecord) -> String {
    let mut out = String::with_capacity(512 + record.consent_text.len());
    let mut object = Object::new(&mut out);
    object.string("record_id", &record.record_id);
    object.string("form", record.form.as_str());
    object.string("email", &record.email);
    object.string("locale", record.locale.tag());
    object.string("consent_text", &record.consent_text);
    object.string("consent_version", &hex(&record.consent_version.0));
    object.raw("consent", if record.consent { "true" } else { "false" });
    let topics: Vec<&str> = record.topics.iter().map(|t| t.as_str()).collect();
    object.strings("topics", &topics);
    object.string("page_url", &record.page_url);
    object.raw("client_time", &decimal(record.client_time.millis()));
    object.raw("elapsed_ms", &decimal(record.elapsed_ms));
    object.string("website", &record.website);
    object.close();
    out
}

/// Writes one JSON object's members in order.
struct Object<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut String) -> Object<'a> {
        out.push('{');
        Object { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        quote(self.out, key);
        self.out.push(':');
    }

    fn raw(&mut self, key: &str, value: &str) {
        self.key(key);
        self.out.push_str(value);
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        quote(self.out, value);
    }

    fn strings(&mut self, key: &str, values: &[&str]) {
        self.key(key);
        self.out.push('[');
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            quote(self.out, value);
        }
        self.out.push(']');
    }

    fn close(self) {
        self.out.push('}');
    }
}

/// `n` in decimal digits (by hand: `to_string` would compile in the
/// formatting machinery).
fn decimal(mut n: u64) -> String {
    let mut digits = Vec::with_capacity(20);
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// `value` as a JSON string (RFC 8259 escaping).
pub(crate) fn quote(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let b = c as u8;
                out.push_str("\\u00");
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use doi_core::{EventId, FormId, Timestamp};

    fn record(text: &str, email: &str) -> ConsentRecord {
        ConsentRecord {
            record_id: EventId::from_random([1; 16]).as_str().to_string(),
            form: FormId::parse("newsletter").unwrap(),
            email: email.into(),
            locale: Locale::Ja,
            consent_text: text.into(),
            consent_version: ConsentVersion::of(text),
            consent: true,
            topics: vec![
                TopicId::parse("product").unwrap(),
                TopicId::parse("tips").unwrap(),
            ],
            page_url: "http://127.0.0.1:8787/news?x=\"1\"".into(),
            client_time: Timestamp(1_800_000_000_123),
            elapsed_ms: 4_321,
            website: String::new(),
        }
    }

    fn same_as_serde(record: &ConsentRecord) {
        let ours: serde_json::Value = serde_json::from_str(&consent_record(record)).unwrap();
        assert_eq!(ours, serde_json::to_value(record).unwrap());
    }

    #[test]
    fn the_written_record_is_what_serde_writes() {
        same_as_serde(&record("同意します。", "someone@example.com"));
    }

    #[test]
    fn every_character_that_needs_escaping_is_escaped() {
        let nasty = "quote \" backslash \\ nl \n cr \r tab \t nul \u{0} esc \u{1b} del \u{7f} ls \u{2028} 😀";
        same_as_serde(&record(nasty, nasty));
    }

    #[test]
    fn numbers_are_written_in_full() {
        for n in [0, 7, 10, 1_800_000_000_123, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn no_topics_is_an_empty_list() {
        let mut r = record("x", "a@b.example");
        r.topics.clear();
        same_as_serde(&r);
    }
}
