//! The Dōi Worker. For now a skeleton that answers `GET /healthz`; the demo
//! page and `/doi.js` are static assets (see `[assets]` in `wrangler.toml`).

use worker::{
    event, Context, Env, Headers, Method, Request, Response, Result, ScheduleContext,
    ScheduledEvent,
};

#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    match (req.method(), req.path().as_str()) {
        (Method::Get, "/healthz") => healthz(),
        _ => Response::error("Not Found", 404),
    }
}

/// Liveness: the Worker started and can answer.
fn healthz() -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    Ok(Response::ok(r#"{"ok":true}"#)?.with_headers(headers))
}

/// Runs on the cron in `wrangler.toml`; will repair subscriber snapshots.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, _env: Env, _ctx: ScheduleContext) {}
