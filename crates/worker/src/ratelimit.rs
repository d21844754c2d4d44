//! Per-client rate limits on sign-up and on the sender API, against bots
//! that fill the KV write budget with sign-ups or guess the bearer token.
//!
//! Counting is Cloudflare's rate-limiting binding (`[[ratelimits]]` in
//! wrangler.toml; `wrangler dev` runs it locally): a fixed window per key,
//! counted at the location that serves the request, so a client spread over
//! many locations gets somewhat more. This module decides which requests
//! count against which limiter, under what key, and how a refusal looks;
//! `edge.rs` asks the binding. Keys are a hash of `CF-Connecting-IP`, never
//! the address itself, and nothing about a client is written to KV.
//!
//! Beside them, daily caps on sign-ups in KV ([`count_signup`]): per
//! address and per client, counted for every accepted submission whatever
//! is stored about the address, so a refusal (429) says nothing about
//! whether it is known.
//!
//! Must not: refuse a one-click unsubscribe or any page that withdraws
//! consent (withdrawing must stay as easy as giving), or fail closed when
//! the limiter itself fails (a sign-up lost to our own outage is worse than
//! a bot let through for a minute).

use sha2::{Digest, Sha256};

use crate::api;
use crate::ctx::{Ctx, Net};
use crate::hosted::{self, PageError};
use crate::http::{ApiError, Method, Request, Response};
use crate::store::Store;

/// Variable: `off` turns the limits off (local test runs, which send
/// hundreds of requests from 127.0.0.1); anything else leaves them on.
pub const SWITCH: &str = "DOI_RATE_LIMITS";

/// Seconds a refused client is told to wait: the binding's window.
pub const RETRY_AFTER_SECS: u32 = 60;

/// Which limiter a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// `POST /v1/subscribe`, `POST /f/{form}` and `POST /m`: each may
    /// write KV and send a mail.
    Signup,
    /// The sender API (`/v1/links`, `/v1/check`, …), bearer token or not.
    SenderApi,
    /// The console's token sign-in (`POST /admin/sign-in`): a person types
    /// the token a few times at most; anything more is guessing.
    ConsoleSignIn,
}

impl Bucket {
    /// The binding's name in wrangler.toml.
    pub fn binding(self) -> &'static str {
        match self {
            Bucket::Signup => "DOI_SIGNUP_LIMITER",
            Bucket::SenderApi => "DOI_API_LIMITER",
            Bucket::ConsoleSignIn => "DOI_CONSOLE_LIMITER",
        }
    }
}

/// The bucket `req` counts against; `None` for everything that is never
/// limited here (pages, one-click, confirmations, form definitions, health).
pub fn bucket(req: &Request) -> Option<Bucket> {
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    match (req.method, segments.as_slice()) {
        (Method::Post, ["v1", "subscribe"] | ["f", _] | ["m"]) => Some(Bucket::Signup),
        (Method::Post, ["admin", "sign-in"]) => Some(Bucket::ConsoleSignIn),
        (
            _,
            ["v1", "links" | "check" | "export" | "import" | "suppressions"]
            | ["v1", "subscribers", _],
        ) => Some(Bucket::SenderApi),
        _ => None,
    }
}

/// Sign-ups one address may make per UTC day.
pub const SIGNUPS_PER_ADDRESS_PER_DAY: u32 = 5;
/// Sign-ups one client (by `CF-Connecting-IP`) may make per UTC day.
pub const SIGNUPS_PER_CLIENT_PER_DAY: u32 = 50;

/// Counts one sign-up of `sid` from the client of `req` against the daily
/// caps (2 KV reads, and 2 writes when under both), before anything is
/// stored. Over either cap: 429 `rate_limited`, for a known address and an
/// unknown one alike. Under `DOI_RATE_LIMITS=off` nothing is counted.
pub async fn count_signup<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    sid: &doi_core::SubscriberId,
) -> Result<(), ApiError> {
    if !ctx.secrets.rate_limits {
        return Ok(());
    }
    let client = client_key(Bucket::Signup, req);
    let keys = [
        (
            crate::keys::signups_by_address(sid, ctx.now),
            SIGNUPS_PER_ADDRESS_PER_DAY,
        ),
        (
            crate::keys::signups_by_client(&client, ctx.now),
            SIGNUPS_PER_CLIENT_PER_DAY,
        ),
    ];
    let mut counts = [0u32; 2];
    for (i, (key, max)) in keys.iter().enumerate() {
        #[allow(
            clippy::disallowed_methods,
            reason = "a read: no counter is none today"
        )]
        let n: u32 = ctx
            .store
            .get(key)
            .await?
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_default();
        if n >= *max {
            ctx.log(format!("sign-up refused: a daily cap of {max} was reached"));
            return Err(ApiError::RateLimited);
        }
        counts[i] = n;
    }
    let day = crate::store::PutOptions {
        ttl_secs: Some(2 * 24 * 3600),
        metadata: None,
    };
    for ((key, _), n) in keys.iter().zip(counts) {
        ctx.store
            .put(key, &(n + 1).to_string(), day.clone())
            .await?;
    }
    Ok(())
}

/// Whether the limits are on, given the value of [`SWITCH`].
pub fn enabled(switch: Option<&str>) -> bool {
    !switch.is_some_and(|v| v.trim().eq_ignore_ascii_case("off"))
}

/// The limiter key of the client that sent `req`: a hash of
/// `CF-Connecting-IP` (which Cloudflare sets and a client cannot forge),
/// so the binding never sees an address. Requests without it share one key.
pub fn client_key(bucket: Bucket, req: &Request) -> String {
    let ip = req.header("cf-connecting-ip").unwrap_or("").trim();
    let digest = Sha256::new()
        .chain_update(b"doi rate limit v1\0")
        .chain_update(bucket.binding())
        .chain_update(b"\0")
        .chain_update(ip.to_ascii_lowercase())
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The refusal, in the route's own format: JSON (with CORS for the widget)
/// on `/v1`, a page on `/f`; `Retry-After` on both.
pub fn refuse<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Response {
    let retry = RETRY_AFTER_SECS.to_string();
    if req.path.starts_with("/v1/") {
        let r = ApiError::RateLimited.to_response();
        let r = if req.path == "/v1/subscribe" {
            api::with_cors(ctx.config, req, r)
        } else {
            r
        };
        r.with_header("retry-after", &retry)
    } else {
        hosted::error_page(ctx, req, PageError::Api(ApiError::RateLimited))
            .with_header("retry-after", &retry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use crate::testing::{ctx, Recorder};

    fn req(method: Method, path: &str) -> Request {
        Request::new(method, path)
    }

    #[test]
    fn sign_ups_and_the_sender_api_are_limited_and_withdrawals_never_are() {
        use Method::{Delete, Get, Options, Post};
        for (m, p) in [
            (Post, "/v1/subscribe"),
            (Post, "/f/whitepaper"),
            (Post, "/m"),
        ] {
            assert_eq!(bucket(&req(m, p)), Some(Bucket::Signup), "{p}");
        }
        for (m, p) in [
            (Post, "/v1/links"),
            (Post, "/v1/check"),
            (Get, "/v1/export"),
            (Post, "/v1/import"),
            (Post, "/v1/suppressions"),
            (Get, "/v1/subscribers/x"),
            (Delete, "/v1/subscribers/x"),
        ] {
            assert_eq!(bucket(&req(m, p)), Some(Bucket::SenderApi), "{p}");
        }
        assert_eq!(
            bucket(&req(Post, "/admin/sign-in")),
            Some(Bucket::ConsoleSignIn),
            "guessing the token on the console's form"
        );
        for (m, p) in [
            (Post, "/u/token"),
            (Post, "/p/token"),
            (Post, "/c/token"),
            (Get, "/u/token"),
            (Get, "/f/whitepaper"),
            (Get, "/v1/forms/whitepaper"),
            (Options, "/v1/subscribe"),
            (Get, "/healthz"),
        ] {
            assert_eq!(bucket(&req(m, p)), None, "{m:?} {p}");
        }
    }

    #[test]
    fn only_an_explicit_off_turns_the_limits_off() {
        assert!(enabled(None));
        assert!(enabled(Some("on")));
        assert!(enabled(Some("")));
        assert!(enabled(Some("of")));
        assert!(!enabled(Some("off")));
        assert!(!enabled(Some(" OFF ")));
    }

    #[test]
    fn client_keys_are_hashes_that_tell_clients_and_buckets_apart() {
        let from =
            |ip: &str| req(Method::Post, "/v1/subscribe").with_header("cf-connecting-ip", ip);
        let a = client_key(Bucket::Signup, &from("203.0.113.7"));
        assert_eq!(a, client_key(Bucket::Signup, &from("203.0.113.7")));
        assert_ne!(a, client_key(Bucket::Signup, &from("203.0.113.8")));
        assert_ne!(a, client_key(Bucket::SenderApi, &from("203.0.113.7")));
        assert!(!a.contains("203") && a.len() == 32, "{a}");
    }

    #[test]
    fn a_refusal_is_429_rate_limited_with_retry_after_in_the_routes_format() {
        let c = ctx(&MemoryStore::new(), &Recorder::default(), 0, 1);
        let widget =
            req(Method::Post, "/v1/subscribe").with_header("origin", "http://127.0.0.1:8787");
        let r = refuse(&c, &widget);
        assert_eq!((r.status, r.header("retry-after")), (429, Some("60")));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["error"]["code"], "rate_limited");
        assert_eq!(v["error"]["retryable"], true);
        assert_eq!(
            r.header("access-control-allow-origin"),
            Some("http://127.0.0.1:8787"),
            "the widget can read why"
        );
        let page = refuse(&c, &req(Method::Post, "/f/whitepaper"));
        assert_eq!((page.status, page.header("retry-after")), (429, Some("60")));
        assert!(page
            .header("content-type")
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    }
}
