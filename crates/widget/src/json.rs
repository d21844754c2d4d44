//! JSON out of the widget: the consent record written as JSON text.
//!
//! Why not serde here: with serde, the widget carried about 25 KB of
//! floating-point formatting (for its deserializers' error messages) and
//! serde-wasm-bindgen's serializer another 5 KB (measured with the name
//! section kept). Writing one flat object by hand
//! costs a few hundred bytes, and a native test holds the written record
//! equal to what serde writes. (The widget reads no JSON at all: its forms
//! are built in, see [`crate::forms`].)

use crate::prelude::*;

use doi_core::consent::ConsentRecord;
use doi_core::hash::hex;

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
    if record.attach {
        object.raw("attach", "true");
    }
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
    use doi_core::{ConsentVersion, EventId, FormId, Locale, Timestamp, TopicId};

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
            attach: false,
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
