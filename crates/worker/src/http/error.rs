//! The sender API's errors and the one place that maps each to a status, a
//! stable JSON `code` (the contract in `docs/api.md`) and a log line.

use serde::Serialize;
use thiserror::Error;

use doi_core::consent::SubmissionError;

use super::Response;

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
    /// A provider's webhook delivery whose signature or credentials are
    /// missing, wrong or too old.
    #[error(
        "this delivery is not signed as {0} signs its webhooks; see README, Provider webhooks"
    )]
    BadSignature(&'static str),
    /// Part of a batch was done; the rest needs the same request again.
    #[error("{0}")]
    RetryLater(String),
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
            ApiError::Unauthorized | ApiError::BadSignature(_) => 401,
            ApiError::ForbiddenOrigin(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed => 405,
            ApiError::InvalidJson(_) => 400,
            ApiError::PayloadTooLarge(_) | ApiError::BatchTooLarge(_) => 413,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::Invalid { .. } => 422,
            ApiError::RateLimited => 429,
            ApiError::StorageUnavailable | ApiError::Misconfigured(_) | ApiError::RetryLater(_) => {
                503
            }
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
            ApiError::BadSignature(_) => "invalid_signature",
            ApiError::RetryLater(_) => "retry_later",
        }
    }

    /// Whether the same request may succeed later.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited
                | ApiError::StorageUnavailable
                | ApiError::DeliveryFailed(_)
                | ApiError::RetryLater(_)
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
}
