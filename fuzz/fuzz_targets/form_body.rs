//! The one-click and preference form bodies, urlencoded and multipart: any
//! bytes under any Content-Type are fields or a 4xx, never a panic, and
//! every decoded field survives being encoded and parsed again.
#![no_main]
use doi_worker::formdata::{parse_form, parse_multipart, parse_urlencoded, percent_encode, Fields};
use doi_worker::http::{Method, Request};
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: [&str; 6] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=b",
    "multipart/form-data; boundary=\"----x y\"",
    "multipart/form-data",
    "text/plain",
    "",
];

/// Fields encoded back into a urlencoded body.
fn encode(fields: &Fields) -> String {
    let pairs: Vec<String> = fields
        .0
        .iter()
        .map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v)))
        .collect();
    pairs.join("&")
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let req = Request::new(Method::Post, "/u/fuzz")
        .with_header("content-type", content_type)
        .with_body(body);
    if let Err(e) = parse_form(&req) {
        assert!((400..500).contains(&e.status()), "{e:?}");
    }

    let text = String::from_utf8_lossy(body);
    let fields = parse_urlencoded(&text);
    // Names are never empty pairs; re-encoding is lossless.
    assert_eq!(parse_urlencoded(&encode(&fields)), fields);

    let fields = parse_multipart(body, "b");
    for (name, value) in &fields.0 {
        assert!(!value.contains("\r\n--b"), "a value ran over its part: {name:?}");
    }
    assert_eq!(parse_urlencoded(&encode(&fields)), fields);
});
