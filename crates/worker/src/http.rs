//! Plain HTTP as the app sees it: a [`Request`] and a [`Response`] with no
//! runtime types in them (so every flow runs in native tests), the sender
//! API's errors, and the one place that maps an error to a status, a stable
//! JSON `code` and a log line.

use serde::Serialize;
use thiserror::Error;

use doi_core::consent::SubmissionError;

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

/// Why a sender-API or widget request failed. [`ApiError::status`] and
/// [`ApiError::code`] are the contract in `docs/api.md`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// No or wrong bearer token.
    #[error("send the API token as 'Authorization: Bearer <DOI_API_TOKEN>'")]
    Unauthorized,
    /// A browser on an origin the form does not allow.
    #[error("this form does not accept submissions from {0}")]
    ForbiddenOrigin(String),
    /// No such resource.
    #[error("{0}")]
    NotFound(String),
    /// The route exists, the method does not.
    #[error("this address does not accept that method")]
    MethodNotAllowed,
    /// The body is not the JSON this route wants.
    #[error("the body is not valid JSON for this request: {0}")]
    InvalidJson(String),
    /// The body is larger than the route allows.
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// More items than one call may carry.
    #[error("at most {0} items per request; split the batch")]
    BatchTooLarge(usize),
    /// The body has the wrong media type.
    #[error("send the body as {0}")]
    UnsupportedMediaType(&'static str),
    /// Well-formed but not acceptable; `code` is one of the contract's 422 codes.
    #[error("{message}")]
    Invalid {
        /// The stable code.
        code: &'static str,
        /// What to fix.
        message: String,
    },
    /// Too many requests.
    #[error("too many requests; wait a moment and try again")]
    RateLimited,
    /// KV failed: nothing is reported as done.
    #[error("storage is unavailable right now; try again")]
    StorageUnavailable,
    /// The confirmation mail could not be handed over.
    #[error("the confirmation mail could not be delivered ({0}); try again")]
    DeliveryFailed(String),
    /// A secret or setting is missing or malformed.
    #[error("the Worker is misconfigured: {0}")]
    Misconfigured(String),
}

impl ApiError {
    /// A 422 with a contract code.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Unauthorized => 401,
            ApiError::ForbiddenOrigin(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed => 405,
            ApiError::InvalidJson(_) => 400,
            ApiError::PayloadTooLarge(_) | ApiError::BatchTooLarge(_) => 413,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::Invalid { .. } => 422,
            ApiError::RateLimited => 429,
            ApiError::StorageUnavailable | ApiError::Misconfigured(_) => 503,
            ApiError::DeliveryFailed(_) => 502,
        }
    }

    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::ForbiddenOrigin(_) => "forbidden_origin",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::BatchTooLarge(_) => "batch_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Invalid { code, .. } => code,
            ApiError::RateLimited => "rate_limited",
            ApiError::StorageUnavailable => "storage_unavailable",
            ApiError::DeliveryFailed(_) => "delivery_failed",
            ApiError::Misconfigured(_) => "misconfigured",
        }
    }

    /// Whether the same request may succeed later.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited | ApiError::StorageUnavailable | ApiError::DeliveryFailed(_)
        )
    }

    /// The line to log, if this error is the Worker's problem rather than
    /// the caller's. Never contains an address: messages name fields and
    /// secrets only.
    pub fn log_line(&self) -> Option<String> {
        match self {
            ApiError::StorageUnavailable
            | ApiError::DeliveryFailed(_)
            | ApiError::Misconfigured(_) => Some(format!("error {}: {self}", self.code())),
            _ => None,
        }
    }

    /// The JSON error response.
    pub fn to_response(&self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            error: Detail<'a>,
        }
        #[derive(Serialize)]
        struct Detail<'a> {
            code: &'a str,
            message: String,
            retryable: bool,
        }
        let body = Body {
            error: Detail {
                code: self.code(),
                message: self.to_string(),
                retryable: self.retryable(),
            },
        };
        // Not `Response::json`, which answers its own failure with this.
        #[allow(
            clippy::disallowed_methods,
            reason = "strings and a bool always serialise; the status says it all anyway"
        )]
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let mut r = Response::json_bytes(self.status(), body);
        if matches!(self, ApiError::Unauthorized) {
            r = r.with_header("www-authenticate", "Bearer");
        }
        if matches!(self, ApiError::RateLimited) {
            r = r.with_header("retry-after", "60");
        }
        r
    }
}

impl From<SubmissionError> for ApiError {
    fn from(e: SubmissionError) -> ApiError {
        let code = match &e {
            SubmissionError::UnknownForm(_) => "unknown_form",
            SubmissionError::ConsentNotGiven => "consent_not_given",
            SubmissionError::AlteredText => "altered_consent_text",
            SubmissionError::StaleText => "stale_consent_text",
            SubmissionError::Email(_) => "invalid_email",
            SubmissionError::UnknownTopic(_) => "unknown_topic",
            SubmissionError::NoTopicChosen => "no_topic_chosen",
            SubmissionError::BadRecordId => "bad_record_id",
            SubmissionError::PageUrlTooLong => "invalid_request",
            SubmissionError::Automated => "automated",
        };
        ApiError::invalid(code, e.to_string())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(_: crate::store::StoreError) -> ApiError {
        ApiError::StorageUnavailable
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
    fn every_error_has_the_contract_status_and_code() {
        let cases = [
            (ApiError::Unauthorized, 401, "unauthorized"),
            (
                ApiError::ForbiddenOrigin("x".into()),
                403,
                "forbidden_origin",
            ),
            (ApiError::PayloadTooLarge(1), 413, "payload_too_large"),
            (ApiError::BatchTooLarge(500), 413, "batch_too_large"),
            (ApiError::StorageUnavailable, 503, "storage_unavailable"),
            (
                ApiError::Misconfigured("DOI_ID_KEY".into()),
                503,
                "misconfigured",
            ),
            (ApiError::DeliveryFailed("x".into()), 502, "delivery_failed"),
        ];
        for (e, status, code) in cases {
            assert_eq!((e.status(), e.code()), (status, code), "{e:?}");
        }
    }

    #[test]
    fn error_bodies_say_code_message_and_whether_to_retry() {
        let r = ApiError::StorageUnavailable.to_response();
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["error"]["code"], "storage_unavailable");
        assert_eq!(v["error"]["retryable"], true);
        assert!(v["error"]["message"].as_str().unwrap().len() > 10);
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }

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
