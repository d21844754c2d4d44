//! Form bodies: `application/x-www-form-urlencoded` (HTML forms) and
//! `multipart/form-data` (what RFC 8058 says mail receivers SHOULD send for
//! one-click unsubscribe). Text fields only; file parts are ignored.

use crate::http::{ApiError, Request};

/// Decoded form fields, in order; a name may repeat (`topics`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// The first value of `name`, or empty when the form did not send it,
    /// as a browser sends an empty input: what the checks after this see.
    #[allow(
        clippy::disallowed_methods,
        reason = "a read: an absent field is an empty one, and is checked as such"
    )]
    pub fn get_or_empty(&self, name: &str) -> String {
        self.get(name).unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// The fields of a form body, whichever of the two encodings it uses.
pub fn parse_form(req: &Request) -> Result<Fields, ApiError> {
    let media = req.media_type();
    let body = String::from_utf8_lossy(&req.body);
    match media.as_str() {
        "application/x-www-form-urlencoded" | "" => Ok(parse_urlencoded(&body)),
        "multipart/form-data" => {
            let boundary =
                req.header("content-type")
                    .and_then(boundary)
                    .ok_or(ApiError::invalid(
                        "invalid_request",
                        "multipart/form-data needs a boundary parameter",
                    ))?;
            Ok(parse_multipart(&req.body, &boundary))
        }
        _ => Err(ApiError::UnsupportedMediaType(
            "application/x-www-form-urlencoded or multipart/form-data",
        )),
    }
}

/// Parses `a=1&b=%E3%81%82+x`.
pub fn parse_urlencoded(text: &str) -> Fields {
    Fields(
        text.split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(n), percent_decode(v))
            })
            .collect(),
    )
}

/// Decodes `%XX` escapes and `+` as space (form and query encoding);
/// invalid escapes stay as typed, invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(s: &str) -> String {
    decode(s, true)
}

/// Decodes a path segment: `%XX` escapes only (`+` is a plus there).
pub fn decode_path_segment(s: &str) -> String {
    decode(s, false)
}

fn decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' => match (hex(b.get(i + 1)), hex(b.get(i + 2))) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: Option<&u8>) -> Option<u8> {
    match c? {
        c @ b'0'..=b'9' => Some(c - b'0'),
        c @ b'a'..=b'f' => Some(c - b'a' + 10),
        c @ b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Encodes a value for a query string or form body.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `boundary` parameter of a multipart content type.
fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

/// Parses the text fields of a multipart body.
pub fn parse_multipart(body: &[u8], boundary: &str) -> Fields {
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let mut fields = Vec::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break; // the closing delimiter
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, value)) = part
            .split_once("\r\n\r\n")
            .or_else(|| part.split_once("\n\n"))
        else {
            continue;
        };
        let Some(name) = part_name(head) else {
            continue;
        };
        if head.to_ascii_lowercase().contains("filename=") {
            continue;
        }
        let value = value
            .strip_suffix("\r\n")
            .or_else(|| value.strip_suffix('\n'))
            .unwrap_or(value);
        fields.push((name, value.to_string()));
    }
    Fields(fields)
}

/// The `name` of a part's `Content-Disposition: form-data; name="…"`.
fn part_name(head: &str) -> Option<String> {
    let line = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    line.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim() == "name").then(|| v.trim().trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    #[test]
    fn urlencoded_fields_are_decoded_and_may_repeat() {
        let f = parse_urlencoded("topics=a&topics=b&email=taro%40example.com&q=%E5%90%8C+x");
        assert_eq!(f.all("topics"), ["a", "b"]);
        assert_eq!(f.get("email").as_deref(), Some("taro@example.com"));
        assert_eq!(f.get("q").as_deref(), Some("同 x"));
        assert_eq!(f.get("missing"), None);
    }

    #[test]
    fn broken_escapes_stay_as_typed() {
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%41%42"), "AB");
        assert_eq!(decode_path_segment("a+b%40c.jp"), "a+b@c.jp");
    }

    #[test]
    fn percent_encoding_round_trips() {
        let s = "a b&c=d/同意";
        assert_eq!(percent_decode(&percent_encode(s)), s);
    }

    #[test]
    fn rfc8058_multipart_body_is_understood() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        let req = Request::new(Method::Post, "/u/t")
            .with_header("content-type", "multipart/form-data; boundary=XyZ")
            .with_body(body);
        let f = parse_form(&req).unwrap();
        assert_eq!(f.get("List-Unsubscribe").as_deref(), Some("One-Click"));
    }

    #[test]
    fn multipart_skips_files_and_reads_several_fields() {
        let body = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nfile\r\n--b\r\ncontent-disposition: form-data; name=b\r\n\r\ntwo\nlines\r\n--b--";
        let f = parse_multipart(body.as_bytes(), "b");
        assert_eq!(
            f.0,
            vec![("a".into(), "1".into()), ("b".into(), "two\nlines".into())]
        );
    }

    #[test]
    fn other_media_types_are_refused() {
        let req =
            Request::new(Method::Post, "/u/t").with_header("content-type", "application/json");
        assert_eq!(
            parse_form(&req).unwrap_err().code(),
            "unsupported_media_type"
        );
        let req =
            Request::new(Method::Post, "/u/t").with_header("content-type", "multipart/form-data");
        assert_eq!(parse_form(&req).unwrap_err().code(), "invalid_request");
    }
}
