//! The only code that touches the Workers runtime: turning a
//! `worker::Request` into an [`http::Request`] and back, KV behind
//! [`Store`], `fetch` behind [`Net`], secrets, the clock, randomness, logs,
//! `waitUntil`, and the entry points (fetch here, scheduled in [`cron`],
//! email in [`email`]).
// For the whole module: `#[event]` writes its glue (which calls
// `unwrap_or_default`) in modules of its own beside our handlers, out of
// reach of an attribute on the handler. Our code here has no such call.
#![allow(clippy::disallowed_methods)]

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use doi_core::Timestamp;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use worker::{
    console_error, console_log, event, AbortController, Context, Date, Delay, Env, Fetch, Headers,
    RequestInit,
};

use crate::app;
use crate::ctx::{Ctx, Net, Outgoing, Task};
use crate::http::{self, ApiError};
use crate::ratelimit;
use crate::repair;
use crate::secrets::Secrets;
use crate::store::Store;

mod cron;
mod email;
mod kv;

use kv::Kv;

/// The KV binding in wrangler.toml.
const KV_BINDING: &str = "DOI_KV";

/// The secrets, read from `env` once per isolate: they cannot change
/// within one (`wrangler secret put` deploys a new version, which starts
/// new isolates), and each read crosses from wasm to JavaScript.
fn secrets(env: &Env) -> Secrets {
    thread_local! {
        static SECRETS: std::cell::OnceCell<Secrets> = const { std::cell::OnceCell::new() };
    }
    SECRETS.with(|cached| {
        cached
            .get_or_init(|| {
                Secrets::from_lookup(|name| {
                    env.secret(name)
                        .map(|s| s.to_string())
                        .or_else(|_| env.var(name).map(|v| v.to_string()))
                        .ok()
                })
            })
            .clone()
    })
}

/// A request's seed for fresh ids: SHA-256 of 32 bytes drawn from
/// `crypto.getRandomValues` once per isolate, and of a per-isolate request
/// counter — unique per request and unpredictable from outside, without
/// three calls into JavaScript on every request.
fn seed() -> [u8; 32] {
    use sha2::{Digest, Sha256};
    thread_local! {
        static ISOLATE: [u8; 32] = random_bytes();
        static REQUESTS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let n = REQUESTS.with(|r| {
        let n = r.get();
        r.set(n.wrapping_add(1));
        n
    });
    ISOLATE.with(|isolate| {
        Sha256::new()
            .chain_update(b"doi request seed v1\0")
            .chain_update(isolate)
            .chain_update(n.to_be_bytes())
            .finalize()
            .into()
    })
}

/// 32 bytes from `crypto.getRandomValues`.
fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let filled = scope
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).map(|_| ()));
    if filled.is_err() {
        // Ids only need to be unique: fall back to the clock and Math.random.
        let mix = (Date::now().as_millis() as f64 + js_sys::Math::random() * 1e15).to_bits();
        bytes[..8].copy_from_slice(&mix.to_be_bytes());
    }
    bytes
}

/// Whether the rate limits are on (`DOI_RATE_LIMITS`), read once per
/// isolate like the secrets.
fn limits_on(env: &Env) -> bool {
    thread_local! {
        static ON: std::cell::OnceCell<bool> = const { std::cell::OnceCell::new() };
    }
    ON.with(|on| {
        *on.get_or_init(|| {
            let switch = env.var(ratelimit::SWITCH).ok().map(|v| v.to_string());
            ratelimit::enabled(switch.as_deref())
        })
    })
}

/// The raw `web_sys` request and response, not `worker::Request` and
/// `worker::Response`: converting into those reads the request's `cf`
/// object and every header up front, which the isolate profile showed as
/// the largest single share of a small request's time.
#[event(fetch)]
async fn fetch(
    req: web_sys::Request,
    env: Env,
    wctx: Context,
) -> worker::Result<web_sys::Response> {
    let config = match crate::config() {
        Ok(c) => c,
        Err(problem) => {
            console_error!("misconfigured: {problem}");
            return to_worker(ApiError::Misconfigured(problem).to_response());
        }
    };
    let store = match env.kv(KV_BINDING) {
        Ok(kv) => Kv(kv),
        Err(_) => {
            let e = ApiError::Misconfigured(format!(
                "the KV binding {KV_BINDING} is missing; add it to wrangler.toml (see README, Deploy)"
            ));
            console_error!("{e}");
            return to_worker(e.to_response());
        }
    };
    let (mut request, declared_too_large) = read(req).await?;
    let secrets = secrets(&env);
    let mut ctx = Ctx::new(
        config,
        secrets,
        store.clone(),
        FetchNet,
        Timestamp(Date::now().as_millis()),
        seed(),
    );
    ctx.base_url = ctx
        .secrets
        .public_url()
        .map_or_else(|| request.origin.clone(), str::to_string);
    let limit = app::body_limit(&request.path);
    let response = if declared_too_large || request.body.len() > limit {
        request.body.clear();
        app::too_large(&ctx, &request)
    } else if let Some(refusal) = rate_limited(&env, &ctx, &request).await {
        refusal
    } else {
        app::handle(&ctx, &request).await
    };
    for line in ctx.take_logs() {
        console_log!("{line}");
    }
    for task in ctx.take_tasks() {
        if let Task::SendManageLink { email, locale } = task {
            // Needs the network and the secrets: a context of its own.
            let mut later = Ctx::new(
                config,
                ctx.secrets.clone(),
                store.clone(),
                FetchNet,
                ctx.now,
                seed(),
            );
            later.base_url = ctx.base_url.clone();
            wctx.wait_until(async move {
                crate::hosted::manage::run(&later, &email, locale).await;
                for line in later.take_logs() {
                    console_log!("{line}");
                }
            });
            continue;
        }
        let store = store.clone();
        wctx.wait_until(async move {
            let lines =
                repair::run(&store, task, |ms| Delay::from(Duration::from_millis(ms))).await;
            for line in lines {
                console_log!("{line}");
            }
        });
    }
    to_worker(response)
}

/// The refusal for `request` if its client is over its rate limit
/// ([`ratelimit`]). A missing binding or a failing limiter lets it through,
/// with a log line: a lost sign-up is worse than a bot let in for a minute.
async fn rate_limited<S: Store, N: Net>(
    env: &Env,
    ctx: &Ctx<S, N>,
    request: &http::Request,
) -> Option<http::Response> {
    let bucket = ratelimit::bucket(request)?;
    if !limits_on(env) {
        return None;
    }
    let Ok(limiter) = env.rate_limiter(bucket.binding()) else {
        console_error!(
            "rate limits are off: the binding {} is missing from wrangler.toml",
            bucket.binding()
        );
        return None;
    };
    match limiter.limit(ratelimit::client_key(bucket, request)).await {
        Ok(outcome) if !outcome.success => Some(ratelimit::refuse(ctx, request)),
        Ok(_) => None,
        Err(e) => {
            console_error!("rate limiter failed, request let through: {e}");
            None
        }
    }
}

/// Reads the runtime's request: method, URL, headers and body. A body whose
/// declared length is over the route's limit is not read at all (`true`).
async fn read(req: web_sys::Request) -> worker::Result<(http::Request, bool)> {
    // The URL as text: parsing it with the `url` crate would link its IDNA
    // tables (a large share of the module) for nothing.
    let url = req.url();
    let (origin, path, query) = http::split_url(&url);
    let method = http::Method::parse(&req.method());
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(entries) = js_sys::try_iter(&req.headers())? {
        for entry in entries {
            let pair: js_sys::Array = entry?.unchecked_into();
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                headers.push((name.to_ascii_lowercase(), value));
            }
        }
    }
    let declared: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let limit = app::body_limit(&path);
    let too_large = declared > limit;
    let body = match method {
        // A body the runtime could not hand over is its error, not an
        // empty body to act on.
        http::Method::Post | http::Method::Delete if !too_large => {
            let buffer = JsFuture::from(req.array_buffer()?).await?;
            js_sys::Uint8Array::new(&buffer).to_vec()
        }
        _ => Vec::new(),
    };
    let request = http::Request {
        method,
        path,
        query,
        headers,
        body,
        origin,
    };
    Ok((request, too_large))
}

/// The runtime's response, built directly: one `Headers`, one `Response`.
fn to_worker(r: http::Response) -> worker::Result<web_sys::Response> {
    let headers = web_sys::Headers::new()?;
    for (name, value) in &r.headers {
        headers.append(name, value)?;
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(r.status);
    init.set_headers(&headers);
    let mut body = r.body;
    // No body at all for the statuses that must not have one.
    let body = (!matches!(r.status, 101 | 204 | 205 | 304)).then_some(&mut body[..]);
    Ok(web_sys::Response::new_with_opt_u8_array_and_init(
        body, &init,
    )?)
}

/// `fetch` as [`Net`].
#[derive(Clone)]
struct FetchNet;

impl Net for FetchNet {
    async fn post(&self, request: &Outgoing) -> Result<u16, String> {
        let headers = Headers::new();
        for (name, value) in &request.headers {
            headers.set(name, value).map_err(|e| e.to_string())?;
        }
        let mut init = RequestInit::new();
        init.with_method(worker::Method::Post)
            .with_headers(headers)
            .with_body(Some(request.body.clone().into()));
        let req = worker::Request::new_with_init(&request.url, &init).map_err(|e| e.to_string())?;
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = Fetch::Request(req);
        let sent = Box::pin(fetch.send_with_signal(&signal));
        match within(sent, DELIVERY_TIMEOUT).await {
            Some(result) => Ok(result.map_err(|e| e.to_string())?.status_code()),
            None => {
                controller.abort();
                Err(format!("no answer within {} s", DELIVERY_TIMEOUT.as_secs()))
            }
        }
    }

    async fn exchange(&self, request: &Outgoing) -> Result<(u16, Vec<u8>), String> {
        let headers = Headers::new();
        for (name, value) in &request.headers {
            headers.set(name, value).map_err(|e| e.to_string())?;
        }
        let mut init = RequestInit::new();
        init.with_method(worker::Method::Post)
            .with_headers(headers)
            .with_body(Some(request.body.clone().into()));
        read_answer(worker::Request::new_with_init(&request.url, &init).map_err(|e| e.to_string())?)
            .await
    }

    async fn get(&self, url: &str) -> Result<(u16, Vec<u8>), String> {
        read_answer(worker::Request::new(url, worker::Method::Get).map_err(|e| e.to_string())?)
            .await
    }
}

/// Sends `req` and reads the whole answer, within [`DELIVERY_TIMEOUT`].
async fn read_answer(req: worker::Request) -> Result<(u16, Vec<u8>), String> {
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(req);
    let sent = Box::pin(async {
        let mut response = fetch.send_with_signal(&signal).await?;
        let status = response.status_code();
        Ok::<_, worker::Error>((status, response.bytes().await?))
    });
    match within(sent, DELIVERY_TIMEOUT).await {
        Some(result) => result.map_err(|e| e.to_string()),
        None => {
            controller.abort();
            Err(format!("no answer within {} s", DELIVERY_TIMEOUT.as_secs()))
        }
    }
}

/// How long a delivery endpoint may take before the signup answers 502.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// `future`'s output, or `None` if `limit` passes first.
async fn within<F: Future + Unpin>(mut future: F, limit: Duration) -> Option<F::Output> {
    let mut timer = Delay::from(limit);
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(out) = Pin::new(&mut future).poll(cx) {
            return Poll::Ready(Some(out));
        }
        match Pin::new(&mut timer).poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}
