//! The request in and the response out, one call across the JS boundary
//! each: a small JavaScript helper (bundled with the generated glue) reads
//! the method, the URL and every header into one string, and builds the
//! `Response` from the status, one string of headers and the body. Read
//! field by field from Rust, a request cost several calls into JavaScript
//! per header, and a response one per header; the isolate profile showed
//! those calls as a large share of a small request's time.

use wasm_bindgen::prelude::*;

use crate::http;

#[wasm_bindgen(inline_js = r#"
export function describe(request) {
  let text = request.method + "\n" + request.url + "\n";
  for (const [name, value] of request.headers) text += name + "\n" + value + "\n";
  return text;
}
export function respond(status, head, body, bodiless, distinct) {
  const lines = head.split("\n");
  let headers;
  if (distinct) {
    headers = {};
    for (let i = 0; i + 1 < lines.length; i += 2) headers[lines[i]] = lines[i + 1];
  } else {
    headers = new Headers();
    for (let i = 0; i + 1 < lines.length; i += 2) headers.append(lines[i], lines[i + 1]);
  }
  return new Response(bodiless ? null : body, { status, headers });
}
"#)]
extern "C" {
    /// `METHOD\nURL\n` then `name\nvalue\n` per header (names lower case,
    /// as `Headers` iterates them). Neither a URL nor a header holds a line
    /// break: the runtime refuses both.
    fn describe(request: &web_sys::Request) -> String;

    /// The `Response`; throws if the runtime refuses a status or header.
    /// Headers go in as a plain object when no name repeats: the runtime
    /// converts that several times faster than an array of pairs or a
    /// `Headers` filled by `append` (measured in workerd: about 12 µs
    /// against 40 µs and 20 µs for five headers).
    #[wasm_bindgen(catch)]
    fn respond(
        status: u16,
        head: &str,
        body: &[u8],
        bodiless: bool,
        distinct: bool,
    ) -> Result<web_sys::Response, JsValue>;
}

/// The request's method, URL and headers.
pub(super) struct Described {
    pub method: http::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// Reads `request`'s method, URL and headers in one call.
pub(super) fn read(request: &web_sys::Request) -> Described {
    parse(&describe(request))
}

/// [`describe`]'s text as its parts.
fn parse(text: &str) -> Described {
    let mut lines = text.split('\n');
    let method = http::Method::parse(lines.next().unwrap_or(""));
    let url = lines.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    while let (Some(name), Some(value)) = (lines.next(), lines.next()) {
        headers.push((name.to_ascii_lowercase(), value.to_string()));
    }
    Described {
        method,
        url,
        headers,
    }
}

/// The runtime's response for `r`, built in one call. A header name or
/// value with a line break (never one of ours) would split into a header
/// of its own: such a response is refused here, as `Headers` would.
pub(super) fn response(r: &http::Response) -> Result<web_sys::Response, JsValue> {
    let mut head = String::with_capacity(r.headers.len() * 48);
    for (name, value) in &r.headers {
        if [name, value].iter().any(|part| part.contains(['\n', '\r'])) {
            return Err(JsValue::from_str(&format!(
                "the response header {name:?} holds a line break"
            )));
        }
        head.push_str(name);
        head.push('\n');
        head.push_str(value);
        head.push('\n');
    }
    // No body at all for the statuses that must not have one.
    let bodiless = matches!(r.status, 101 | 204 | 205 | 304);
    // An object holds one value per name: a repeated name (two
    // `set-cookie`) needs `append`.
    let distinct = r
        .headers
        .iter()
        .enumerate()
        .all(|(i, (name, _))| r.headers[..i].iter().all(|(other, _)| other != name));
    respond(r.status, &head, &r.body, bodiless, distinct)
}
