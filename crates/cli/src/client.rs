//! The sender API over HTTP: bearer token, JSON in and out, and every call
//! retried by [`crate::retry`]'s policy. It counts its calls, so that a
//! command can say what it cost.

use std::cell::Cell;
use std::env;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::args::Server;
use crate::outcome::Failure;
use crate::retry;

/// The environment variable that holds the bearer token.
pub const TOKEN_ENV: &str = "DOI_API_TOKEN";

/// Largest answer read (an export page of 300 long logs fits many times).
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// A 2xx answer.
#[derive(Debug)]
pub struct Answer {
    /// The body.
    pub body: Vec<u8>,
    /// `Doi-Next-Cursor`, for the export's pages.
    pub next_cursor: Option<String>,
}

/// A connection to one Worker's sender API.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
    retries: u32,
    calls: Cell<u64>,
}

/// The API's error body: `{"error":{"code","message","retryable"}}`.
#[derive(serde::Deserialize)]
struct ErrorBody {
    error: ErrorFields,
}

#[derive(serde::Deserialize)]
struct ErrorFields {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    retryable: Option<bool>,
}

/// One failed attempt.
struct Attempt {
    what: String,
    status: Option<u16>,
    retryable: bool,
    retry_after: Option<String>,
    code: String,
    message: String,
}

impl Client {
    /// A client for `server`, with the token from [`TOKEN_ENV`].
    pub fn new(server: &Server) -> Result<Client, Failure> {
        let token = env::var(TOKEN_ENV).ok().filter(|t| !t.trim().is_empty());
        let token = token.ok_or_else(|| {
            Failure::Input(format!(
                "{TOKEN_ENV} is not set: export the sender API's token (wrangler secret DOI_API_TOKEN)"
            ))
        })?;
        let base = server.url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Failure::Input(format!(
                "--url {base:?} is not an http:// or https:// URL"
            )));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .user_agent(concat!("doi/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Client {
            agent,
            base,
            token: token.trim().to_string(),
            retries: server.retries,
            calls: Cell::new(0),
        })
    }

    /// HTTP requests made so far (retries included).
    pub fn calls(&self) -> u64 {
        self.calls.get()
    }

    /// `POST path` with `body` as JSON; the answer parsed as `T`.
    pub fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, Failure> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Failure::Input(format!("cannot encode the request: {e}")))?;
        let answer = self.call("POST", path, Some(&bytes))?;
        serde_json::from_slice(&answer.body).map_err(|e| {
            Failure::Server(format!(
                "POST {path} answered JSON this doi does not read: {e}"
            ))
        })
    }

    /// `GET path_and_query`, the body as bytes.
    pub fn get(&self, path_and_query: &str) -> Result<Answer, Failure> {
        self.call("GET", path_and_query, None)
    }

    fn call(&self, method: &str, path: &str, body: Option<&[u8]>) -> Result<Answer, Failure> {
        let mut attempt = 0;
        loop {
            let failed = match self.once(method, path, body) {
                Ok(answer) => return Ok(answer),
                Err(failed) => failed,
            };
            if !failed.retryable || attempt >= self.retries {
                return Err(match failed.status {
                    Some(status) if !failed.retryable && status < 500 => Failure::Refused {
                        status,
                        code: failed.code,
                        message: hint(status, failed.message),
                    },
                    _ => Failure::Server(format!(
                        "{}: {} {} (after {} attempts)",
                        failed.what,
                        failed.code,
                        failed.message,
                        attempt + 1
                    )),
                });
            }
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
            let wait = retry::delay(attempt, failed.retry_after.as_deref(), now);
            eprintln!(
                "doi: {}: {}; trying again in {} s (attempt {} of {})",
                failed.what,
                failed.code,
                wait.as_secs_f64(),
                attempt + 2,
                self.retries + 1
            );
            thread::sleep(wait);
            attempt += 1;
        }
    }

    fn once(&self, method: &str, path: &str, body: Option<&[u8]>) -> Result<Answer, Attempt> {
        let url = format!("{}{path}", self.base);
        let what = format!("{method} {}", path.split('?').next().unwrap_or(path));
        self.calls.set(self.calls.get() + 1);
        let auth = format!("Bearer {}", self.token);
        let sent = match body {
            Some(bytes) => self
                .agent
                .post(&url)
                .header("authorization", &auth)
                .content_type("application/json")
                .send(bytes),
            None => self.agent.get(&url).header("authorization", &auth).call(),
        };
        let mut response = sent.map_err(|e| Attempt {
            what: what.clone(),
            status: None,
            retryable: true,
            retry_after: None,
            code: "network_error".into(),
            message: e.to_string(),
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header("retry-after");
        let next_cursor = header("doi-next-cursor");
        let bytes = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| Attempt {
                what: what.clone(),
                status: None,
                retryable: true,
                retry_after: None,
                code: "network_error".into(),
                message: format!("reading the answer: {e}"),
            })?;
        if (200..300).contains(&status) {
            return Ok(Answer {
                body: bytes,
                next_cursor,
            });
        }
        let parsed = serde_json::from_slice::<ErrorBody>(&bytes).ok();
        let retryable = parsed.as_ref().and_then(|b| b.error.retryable);
        let (code, message) = match parsed {
            Some(b) => (b.error.code, b.error.message),
            None => (
                format!("http_{status}"),
                String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            ),
        };
        Err(Attempt {
            what,
            status: Some(status),
            retryable: retry::worth_retrying(status, retryable),
            retry_after,
            code,
            message,
        })
    }
}

/// What to do about the refusals a sender meets first.
fn hint(status: u16, message: String) -> String {
    match status {
        401 => format!("{message} (is {TOKEN_ENV} the Worker's DOI_API_TOKEN?)"),
        404 => format!("{message} (is --url / DOI_URL a Dōi Worker?)"),
        _ => message,
    }
}
