//! `POST /v1/subscribe` (see `docs/api.md`), to the Worker that served the
//! widget. (`GET /v1/forms/{id}` is made by the loader, so that it runs
//! while the wasm is still compiling; [`crate::json`] reads its answer.)
//!
//! No cookies go with them (`credentials: "omit"`), nothing is stored in the
//! browser, and no other origin is ever contacted. The browser parses and
//! writes the JSON (`response.json()`, `JSON.stringify`), so no JSON parser
//! is compiled into the widget: [`crate::json`] reads the answers and
//! writes the consent record.

use crate::json;
use crate::text::{self, Text};
use doi_core::consent::ConsentRecord;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, RequestMode, Response};

/// Waits before each retry after a network failure or a retryable error:
/// three retries, about five seconds in all, all with the same record id.
pub const BACKOFF_MS: [i32; 3] = [400, 1_200, 3_600];

/// The Worker, by its origin (`https://doi.example.workers.dev`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    origin: String,
}

/// The Worker's answer to a signup it accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The record id, as sent.
    pub record_id: String,
    /// Whether a confirmation mail follows.
    pub double_opt_in: bool,
    /// `pending` (waiting for the confirmation click) or `subscribed`.
    pub status: String,
}

/// Why a signup was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The request did not reach the Worker, or no usable answer came back.
    Network,
    /// The Worker answered with an error (`code` from the contract).
    Refused {
        /// The HTTP status.
        status: u16,
        /// The stable error code.
        code: String,
        /// Whether the Worker says trying again may help.
        retryable: bool,
    },
}

impl SendError {
    /// Whether to try again (same record id) after a pause.
    pub fn is_retryable(&self) -> bool {
        match self {
            SendError::Network => true,
            SendError::Refused { retryable, .. } => *retryable,
        }
    }

    /// What to tell the person once the widget has given up.
    pub fn message(&self) -> Text {
        match self {
            SendError::Network => text::NETWORK_FAILED,
            SendError::Refused { code, .. } => match code.as_str() {
                "invalid_email" => text::EMAIL_INVALID,
                "consent_not_given" => text::CONSENT_REQUIRED,
                "altered_consent_text" | "stale_consent_text" => text::CONSENT_TEXT_CHANGED,
                "rate_limited" => text::TOO_MANY_REQUESTS,
                "storage_unavailable" | "delivery_failed" | "internal" => text::NETWORK_FAILED,
                _ => text::SUBMISSION_REFUSED,
            },
        }
    }
}

impl Api {
    /// The Worker at `origin`.
    pub fn new(origin: &str) -> Api {
        Api {
            origin: origin.trim_end_matches('/').to_string(),
        }
    }

    /// One `POST /v1/subscribe`. `keepalive` lets the request finish after
    /// the page is left (attach mode: the host form navigates away).
    pub async fn subscribe(
        &self,
        record: &ConsentRecord,
        keepalive: bool,
    ) -> Result<Receipt, SendError> {
        let init = request("POST");
        let headers = Object::new();
        set(&headers, "content-type", &"application/json".into());
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&json::consent_record(record)));
        if keepalive {
            set(&init, "keepalive", &true.into());
        }
        let url = format!("{}/v1/subscribe", self.origin);
        let (status, body) = fetch_json(&url, &init)
            .await
            .map_err(|()| SendError::Network)?;
        if status == 200 {
            return receipt(&body).map_err(|_| SendError::Network);
        }
        let detail = Reflect::get(&body, &"error".into()).unwrap_or(JsValue::UNDEFINED);
        Err(SendError::Refused {
            status,
            code: json::string(&detail, "code").unwrap_or_default(),
            retryable: json::boolean(&detail, "retryable").unwrap_or(status >= 500),
        })
    }

    /// [`Api::subscribe`], retried after each pause in [`BACKOFF_MS`] while
    /// the failure is retryable. `on_retry` is told before each pause.
    pub async fn subscribe_with_retries(
        &self,
        record: &ConsentRecord,
        keepalive: bool,
        mut on_retry: impl FnMut(usize),
    ) -> Result<Receipt, SendError> {
        let mut attempt = 0;
        loop {
            match self.subscribe(record, keepalive).await {
                Err(error) if error.is_retryable() && attempt < BACKOFF_MS.len() => {
                    on_retry(attempt + 1);
                    sleep(BACKOFF_MS[attempt]).await;
                    attempt += 1;
                }
                result => return result,
            }
        }
    }
}

fn receipt(body: &JsValue) -> Result<Receipt, json::BadField> {
    Ok(Receipt {
        record_id: json::string(body, "record_id")?,
        double_opt_in: json::boolean(body, "double_opt_in")?,
        status: json::string(body, "status")?,
    })
}

/// A request with no cookies, CORS mode.
fn request(method: &str) -> RequestInit {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    init
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a plain object cannot fail.
    let _ = Reflect::set(target, &key.into(), value);
}

/// Fetches `url`; the status and the JSON body (`null` if not JSON).
/// `Err` when no response arrived.
async fn fetch_json(url: &str, init: &RequestInit) -> Result<(u16, JsValue), ()> {
    let window = web_sys::window().ok_or(())?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .map_err(|_| ())?
        .dyn_into()
        .map_err(|_| ())?;
    let body = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.unwrap_or(JsValue::NULL),
        Err(_) => JsValue::NULL,
    };
    Ok((response.status(), body))
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, code: &str, retryable: bool) -> SendError {
        SendError::Refused {
            status,
            code: code.into(),
            retryable,
        }
    }

    #[test]
    fn network_failures_and_retryable_errors_are_retried() {
        assert!(SendError::Network.is_retryable());
        assert!(refused(503, "storage_unavailable", true).is_retryable());
        assert!(!refused(422, "invalid_email", false).is_retryable());
    }

    #[test]
    fn refusals_are_explained_with_catalogue_messages() {
        assert_eq!(SendError::Network.message(), text::NETWORK_FAILED);
        assert_eq!(
            refused(422, "stale_consent_text", false).message(),
            text::CONSENT_TEXT_CHANGED
        );
        assert_eq!(
            refused(422, "automated", false).message(),
            text::SUBMISSION_REFUSED
        );
        assert_eq!(
            refused(429, "rate_limited", false).message(),
            text::TOO_MANY_REQUESTS
        );
    }
}
