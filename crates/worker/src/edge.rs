//! The only code that touches the Workers runtime: KV behind [`Store`],
//! `fetch` behind [`Net`], secrets, the clock, randomness, logs, and the
//! entry points (scheduled here, fetch in [`fetch`] with the request and
//! response in [`raw`], email in [`email`]; `edge/entry.js` is what the
//! runtime loads).
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
    console_error, console_log, event, AbortController, Date, Delay, Env, Fetch, Headers,
    RequestInit, ScheduleContext, ScheduledEvent,
};

use crate::ctx::{Ctx, Net, Outgoing};
use crate::ratelimit;
use crate::repair;
use crate::secrets::Secrets;

mod email;
mod faults;
mod fetch;
mod kv;
mod raw;

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

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let Some(kv) = Kv::from_env(&env) else {
        console_error!("misconfigured: the KV binding {KV_BINDING} is missing");
        return;
    };
    let now = Timestamp(Date::now().as_millis());
    let swept = repair::sweep(&kv, now, repair::BUDGET).await;
    let refolded = matches!(&swept, Ok(s) if s.subscribers > 0);
    match swept {
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
    // Receipts a provider's delivery left unsigned (up to 16 signatures,
    // about 2.5 ms), then the console's overview (a page of 500, about
    // 3.5 ms) only in a run that neither the repair nor the signing used:
    // one run never carries all three.
    let signed = deferred_receipts(&env, now).await;
    if let Some(line) = crate::overview::scheduled(&kv, now, refolded || signed).await {
        console_log!("{line}");
    }
}

/// The cron's share of receipts a provider's delivery could not sign
/// ([`crate::receipts::deferred`]); whether it signed any.
async fn deferred_receipts(env: &Env, now: Timestamp) -> bool {
    let (Ok(config), Some(kv)) = (crate::config(), Kv::from_env(env)) else {
        return false;
    };
    let mut ctx = Ctx::new(config, secrets(env), kv, FetchNet, now, seed());
    if let Some(origin) = ctx.secrets.public_url() {
        ctx.base_url = origin.to_string();
    }
    let signed = match crate::receipts::deferred::run(&ctx).await {
        Ok(done) if done.looked => {
            console_log!(
                "receipts: {} signed by the cron, {} of events gone",
                done.signed,
                done.gone
            );
            done.signed > 0
        }
        Ok(_) => false,
        Err(e) => {
            console_error!("deferred receipts failed: {e}");
            false
        }
    };
    for line in ctx.take_logs() {
        console_log!("{line}");
    }
    signed
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
