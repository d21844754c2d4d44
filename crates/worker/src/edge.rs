//! The only code that touches the Workers runtime: turning a
//! `worker::Request` into an [`http::Request`] and back, KV behind
//! [`Store`], `fetch` behind [`Net`], secrets, the clock, randomness, logs,
//! `waitUntil`, and the entry points (fetch and scheduled here, email in
//! [`email`]).
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
use worker::{
    console_error, console_log, event, AbortController, Context, Date, Delay, Env, Fetch, Headers,
    KvStore, RequestInit, ScheduleContext, ScheduledEvent,
};

use crate::app;
use crate::ctx::{Ctx, Net, Outgoing};
use crate::http::{self, ApiError};
use crate::ratelimit;
use crate::repair;
use crate::secrets::Secrets;
use crate::store::{Listed, ListedKey, PutOptions, Store, StoreError};

mod email;

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

/// 32 bytes from `crypto.getRandomValues`.
fn seed() -> [u8; 32] {
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

#[event(fetch)]
async fn fetch(req: worker::Request, env: Env, wctx: Context) -> worker::Result<worker::Response> {
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

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let Ok(kv) = env.kv(KV_BINDING) else {
        console_error!("misconfigured: the KV binding {KV_BINDING} is missing");
        return;
    };
    let now = Timestamp(Date::now().as_millis());
    match repair::sweep(&Kv(kv), now, repair::BUDGET).await {
        Ok(s) if !s.looked => {}
        Ok(s) => console_log!(
            "repair: {} subscribers refolded, {} snapshots rewritten, {} failed, {} KV operations{}",
            s.subscribers,
            s.repaired,
            s.failed,
            s.operations,
            if s.complete { "" } else { "; more next time" }
        ),
        Err(e) => console_error!("repair failed: {e}"),
    }
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
    let switch = env.var(ratelimit::SWITCH).ok().map(|v| v.to_string());
    if !ratelimit::enabled(switch.as_deref()) {
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
async fn read(mut req: worker::Request) -> worker::Result<(http::Request, bool)> {
    // The URL as text: parsing it with the `url` crate would link its IDNA
    // tables (a large share of the module) for nothing.
    let url = req.inner().url();
    let (origin, path, query) = http::split_url(&url);
    let method = http::Method::parse(req.method().as_ref());
    let headers: Vec<(String, String)> = req
        .headers()
        .entries()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let declared: usize = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let limit = app::body_limit(&path);
    let too_large = declared > limit;
    let body = match method {
        // A body the runtime could not hand over is its error, not an
        // empty body to act on.
        http::Method::Post | http::Method::Delete if !too_large => req.bytes().await?,
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

fn to_worker(r: http::Response) -> worker::Result<worker::Response> {
    let headers = Headers::new();
    for (name, value) in &r.headers {
        headers.append(name, value)?;
    }
    Ok(worker::Response::from_bytes(r.body)?
        .with_status(r.status)
        .with_headers(headers))
}

/// Workers KV as a [`Store`].
#[derive(Clone)]
struct Kv(KvStore);

fn kv_error(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

impl Store for Kv {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get(key).text().await.map_err(kv_error)
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        // KV reads up to 100 keys per bulk call, billed as one operation.
        for chunk in keys.chunks(100) {
            let mut found = self.0.get_bulk(chunk).text().await.map_err(kv_error)?;
            out.extend(chunk.iter().map(|k| found.remove(k).flatten()));
        }
        Ok(out)
    }

    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError> {
        let mut put = self.0.put(key, value).map_err(kv_error)?;
        if let Some(ttl) = options.ttl_secs {
            put = put.expiration_ttl(ttl.max(60));
        }
        if let Some(m) = options.metadata {
            put = put.metadata(m).map_err(kv_error)?;
        }
        put.execute().await.map_err(kv_error)
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listed, StoreError> {
        let mut list = self.0.list().prefix(prefix.to_string()).limit(limit as u64);
        if let Some(c) = cursor {
            list = list.cursor(c.to_string());
        }
        let page = list.execute().await.map_err(kv_error)?;
        Ok(Listed {
            keys: page
                .keys
                .into_iter()
                .map(|k| ListedKey {
                    name: k.name,
                    metadata: k.metadata,
                })
                .collect(),
            cursor: if page.list_complete {
                None
            } else {
                page.cursor
            },
        })
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key).await.map_err(kv_error)
    }
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
