//! Plain HTTP as the app sees it: a [`Request`] and a [`Response`] with no
//! runtime types in them (so every flow runs in native tests), the sender
//! API's errors, and the one place that maps an error to a status, a stable
//! JSON `code` and a log line.

use serde::Serialize;

mod error;

pub use error::ApiError;

/// Largest body for `/v1/subscribe` and the hosted pages.
pub const PUBLIC_BODY_LIMIT: usize = 16 * 1024;
/// Largest body for the sender API.
pub const API_BODY_LIMIT: usize = 256 * 1024;

/// The request methods the Worker distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET (and HEAD, which the runtime answers without a body).
    Get,
    /// POST.
    Post,
    /// DELETE.
    Delete,
    /// OPTIONS (CORS preflight).
    Options,
    /// Anything else.
    Other,
}

impl Method {
    /// From the method's name.
    pub fn parse(name: &str) -> Method {
        match name.to_ascii_uppercase().as_str() {
            "GET" | "HEAD" => Method::Get,
            "POST" => Method::Post,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            _ => Method::Other,
        }
    }
}

/// An incoming request, already read from the runtime.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The path, still percent-encoded (`/u/TOKEN`).
    pub path: String,
    /// The query string without `?` (may be empty).
    pub query: String,
    /// Header names in lower case, values as sent.
    pub headers: Vec<(String, String)>,
    /// The body (at most the route's limit; the edge refuses larger ones).
    pub body: Vec<u8>,
    /// The Worker's own origin as this request reached it (`https://host`).
    pub origin: String,
}

impl Request {
    /// A request with no headers and no body (tests build on this).
    pub fn new(method: Method, path_and_query: &str) -> Request {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        Request {
            method,
            path: path.to_string(),
            query: query.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
            origin: "http://127.0.0.1:8787".to_string(),
        }
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: &str, value: &str) -> Request {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Sets the body (builder style).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = body.into();
        self
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter, decoded as a form field is.
    pub fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The media type of the body, lower case, without parameters.
    pub fn media_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }
}

/// An outgoing response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with the headers every answer carries.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("x-content-type-options".into(), "nosniff".into()),
                ("referrer-policy".into(), "no-referrer".into()),
                // Pages replace this with their own; anything else (JSON)
                // may load nothing and be framed by nobody.
                (
                    "content-security-policy".into(),
                    "default-src 'none'; frame-ancestors 'none'".into(),
                ),
            ],
            body: body.into(),
        }
    }

    /// A JSON response that must not be cached.
    pub fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Response {
        match serde_json::to_vec(value) {
            Ok(body) => Response::json_bytes(status, body),
            // Our own plain types always serialise; if one ever did not, an
            // empty 2xx must not claim what it cannot show.
            Err(_) => ApiError::StorageUnavailable.to_response(),
        }
    }

    fn json_bytes(status: u16, body: Vec<u8>) -> Response {
        Response::new(status, "application/json; charset=utf-8", body)
            .with_header("cache-control", "no-store")
    }

    /// Adds or replaces a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (tests).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `scheme://host[:port]/path?query#fragment` → (origin, path, query). The
/// runtime hands over absolute, already-normalised URLs.
pub fn split_url(url: &str) -> (String, String, String) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    let origin = url[..path_start].to_ascii_lowercase();
    let rest = &url[path_start..];
    let rest = rest.split('#').next().unwrap_or("");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = if path.is_empty() { "/" } else { path };
    (origin, path.to_string(), query.to_string())
}

/// Parses a JSON body into `T`, or says what is wrong with it.
pub fn json_body<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let media = req.media_type();
    if !media.is_empty() && media != "application/json" {
        return Err(ApiError::UnsupportedMediaType("application/json"));
    }
    serde_json::from_slice(&req.body).map_err(|e| ApiError::InvalidJson(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_origin_path_and_query() {
        let parts = |u| split_url(u);
        assert_eq!(
            parts("HTTP://127.0.0.1:8787/u/abc?lang=en#x"),
            (
                "http://127.0.0.1:8787".into(),
                "/u/abc".into(),
                "lang=en".into()
            )
        );
        assert_eq!(
            parts("https://w.example"),
            ("https://w.example".into(), "/".into(), String::new())
        );
    }

    #[test]
    fn query_params_are_decoded_like_form_fields() {
        let req = Request::new(Method::Get, "/u/t?from=not_me&lang=en&q=a+b%40c&lang=ja");
        assert_eq!(req.query_param("lang").as_deref(), Some("en"));
        assert_eq!(req.query_param("q").as_deref(), Some("a b@c"));
        assert_eq!(req.query_param("missing"), None);
    }

    #[test]
    fn json_bodies_must_be_json() {
        let req = Request::new(Method::Post, "/v1/check")
            .with_header("content-type", "text/plain")
            .with_body("{}");
        assert_eq!(
            json_body::<serde_json::Value>(&req).unwrap_err().code(),
            "unsupported_media_type"
        );
        let req = Request::new(Method::Post, "/v1/check")
            .with_header("content-type", "application/json; charset=utf-8")
            .with_body("{");
        assert_eq!(
            json_body::<serde_json::Value>(&req).unwrap_err().code(),
            "invalid_json"
        );
    }
}
