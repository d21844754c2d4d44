//! The `fetch` entry point: a request in, a response out, and the work
//! that outlives it handed to `waitUntil`. Exported by hand rather than by
//! `#[event(fetch)]`: a request whose answer needs no I/O (`/healthz`, a
//! form page, an invalid link) is answered synchronously, without the
//! promise, closures and microtask that driving an async export costs;
//! one that awaits (KV, the body, a rate limiter) goes on as a promise
//! from where it stopped.

use std::future::Future;
use std::task::{Poll, Waker};
use std::time::Duration;

use doi_core::Timestamp;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use worker::{console_error, console_log, Context, Delay, Env};

use super::{faults, raw};
use super::{limits_on, secrets, seed, FetchNet, Kv, KV_BINDING};
use crate::app;
use crate::ctx::{Ctx, Net, Task};
use crate::http::{self, ApiError};
use crate::ratelimit;
use crate::repair;
use crate::store::Store;

/// The runtime calls this for every request (through
/// `crates/worker/src/edge/entry.js`); it returns a `Response`, or a
/// promise of one when answering needs I/O.
#[wasm_bindgen]
pub fn fetch(req: web_sys::Request, env: Env, ctx: worker::worker_sys::Context) -> JsValue {
    let mut answer = Box::pin(serve(req, env, Context::new(ctx)));
    // Polled once here: every future in it stores the waker of its latest
    // poll (the contract of `Future::poll`), so the executor's waker
    // replaces this one if it has to wait.
    let mut first = std::task::Context::from_waker(Waker::noop());
    match answer.as_mut().poll(&mut first) {
        Poll::Ready(response) => response,
        Poll::Pending => {
            wasm_bindgen_futures::future_to_promise(async move { Ok(answer.await) }).into()
        }
    }
}

/// The response to `req`; a failure of the runtime's own (a body it could
/// not hand over, a response it refused) is a logged 500.
async fn serve(req: web_sys::Request, env: Env, wctx: Context) -> JsValue {
    match answer(req, env, wctx).await {
        Ok(response) => response.into(),
        Err(e) => {
            console_error!("{e:?}");
            let failed = http::Response::new(500, "text/plain; charset=utf-8", "Internal error");
            raw::response(&failed).map_or_else(|e| e, Into::into)
        }
    }
}

async fn answer(
    req: web_sys::Request,
    env: Env,
    wctx: Context,
) -> Result<web_sys::Response, JsValue> {
    let config = match crate::config() {
        Ok(c) => c,
        Err(problem) => {
            console_error!("misconfigured: {problem}");
            return raw::response(&ApiError::Misconfigured(problem).to_response());
        }
    };
    let store = match Kv::from_env(&env) {
        Some(kv) => kv,
        None => {
            let e = ApiError::Misconfigured(format!(
                "the KV binding {KV_BINDING} is missing; add it to wrangler.toml (see README, Deploy)"
            ));
            console_error!("{e}");
            return raw::response(&e.to_response());
        }
    };
    let (mut request, declared_too_large) = read(req).await?;
    let secrets = secrets(&env);
    let mut ctx = Ctx::new(
        config,
        secrets,
        store.clone(),
        FetchNet,
        Timestamp(js_sys::Date::now() as u64),
        seed(),
    );
    ctx.base_url = ctx
        .secrets
        .public_url()
        .map_or_else(|| request.origin.clone(), str::to_string);
    if faults::wanted(&env, &request) {
        faults::panic(&store, &request).await;
    }
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
    raw::response(&response)
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

/// Reads the runtime's request: method, URL and headers in one call, then
/// the body. A body whose declared length is over the route's limit is not
/// read at all (`true`).
async fn read(req: web_sys::Request) -> Result<(http::Request, bool), JsValue> {
    let raw::Described {
        method,
        url,
        headers,
    } = raw::read(&req);
    // The URL as text: parsing it with the `url` crate would link its IDNA
    // tables (a large share of the module) for nothing.
    let (origin, path, query) = http::split_url(&url);
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
