//! Form bodies: `application/x-www-form-urlencoded` (HTML forms, decoded by
//! the `form_urlencoded` crate) and `multipart/form-data` (what RFC 8058
//! says mail receivers SHOULD send for one-click unsubscribe; parsed here,
//! as no small crate does only that). Text fields only; file parts are
//! ignored.

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

/// Parses `a=1&b=%E3%81%82+x`: `+` is a space, invalid escapes stay as
/// typed, invalid UTF-8 becomes U+FFFD.
pub fn parse_urlencoded(text: &str) -> Fields {
    Fields(
        form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect(),
    )
}

/// Decodes a path segment: `%XX` escapes only (`+` is a plus there);
/// invalid escapes stay as typed, invalid UTF-8 becomes U+FFFD.
pub fn decode_path_segment(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Encodes a name or value for a query string or form body.
pub fn percent_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
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

/// The content of the file part `name` of a multipart form (the console's
/// CSV upload), as text; `None` when the body has no such part.
pub fn multipart_file(req: &Request, name: &str) -> Option<String> {
    let boundary = req.header("content-type").and_then(boundary)?;
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(&req.body);
    text.split(delimiter.as_str()).skip(1).find_map(|part| {
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let (head, value) = part.split_once("\r\n\r\n")?;
        let is_file = head.to_ascii_lowercase().contains("filename=");
        (is_file && part_name(head).as_deref() == Some(name))
            .then(|| value.strip_suffix("\r\n").unwrap_or(value).to_string())
    })
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

    /// One urlencoded value, decoded.
    fn decoded(value: &str) -> Option<String> {
        parse_urlencoded(&format!("v={value}")).get("v")
    }

    #[test]
    fn broken_escapes_stay_as_typed() {
        assert_eq!(decoded("100%").as_deref(), Some("100%"));
        assert_eq!(decoded("%zz%4").as_deref(), Some("%zz%4"));
        assert_eq!(decoded("%41%42").as_deref(), Some("AB"));
        assert_eq!(decode_path_segment("a+b%40c.jp"), "a+b@c.jp");
        assert_eq!(decode_path_segment("100%"), "100%");
    }

    #[test]
    fn percent_encoding_round_trips() {
        let s = "a b&c=d/同意";
        assert_eq!(decoded(&percent_encode(s)).as_deref(), Some(s));
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
