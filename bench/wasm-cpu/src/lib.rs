//! The Worker's handlers as wasm, for timing in V8: `bench/wasm-cpu.mjs`
//! loads this module in Node 22 (the V8 that workerd embeds), seeds an
//! in-memory store through the sender API, prepares one request of a route
//! and times [`run`] around it with `performance.now()`.
//!
//! Built by `cargo xtask bench` with the Worker's release profile and the
//! same `wasm-opt -Oz` pass as `worker-build`, so the code timed is the code
//! deployed, minus the runtime glue (which `bench/worker-profile.mjs`
//! measures separately). A setup step is never timed: [`prepare`] builds
//! the request, and the fresh store a write needs, before [`run`].
// `#[wasm_bindgen]` writes glue that calls `unwrap_or_default`, out of reach
// of an attribute on our functions (as `#[event]` does in the Worker).
#![allow(clippy::disallowed_methods)]

use std::cell::RefCell;

use doi_core::limits;
use doi_worker::http::{Method, Request};
use doi_worker::repair;
use doi_worker::testing::block_on;
use doi_worker::testing::world::{check_request, email, one_click, subscribe_request, World, NOW};
use wasm_bindgen::prelude::*;

/// What [`run`] does next.
enum Prepared {
    /// Answer a request.
    Request(Request),
    /// One cron run of the repair sweep with its budget, at this time (ms).
    Sweep(u64),
}

struct State {
    /// The store of [`seed`]: read-only routes run against it.
    world: World,
    /// A world made for one write (one-click on a store of two), if any.
    fresh: Option<World>,
    next: Option<Prepared>,
    /// Makes every sign-up and import record new.
    serial: u64,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Starts over with a store of `subscribers` imported subscribers (in
/// batches of the import's maximum, as a sender would).
#[wasm_bindgen]
pub fn seed(subscribers: u32) {
    let world = World::new();
    world.seed(0, subscribers as usize);
    STATE.with(|s| {
        *s.borrow_mut() = Some(State {
            world,
            fresh: None,
            next: None,
            serial: 0,
        })
    });
}

/// The routes [`prepare`] knows, one per line.
#[wasm_bindgen]
pub fn routes() -> String {
    ROUTES.join("\n")
}

const ROUTES: &[&str] = &[
    "GET /healthz",
    "GET /v1/forms/newsletter",
    "POST /v1/subscribe",
    "GET /u/{token}",
    "POST /u/{token} one-click",
    "GET /p/{token}",
    "POST /v1/links",
    "POST /v1/check ×max",
    "POST /v1/prepare ×max",
    "GET /v1/export max page",
    "POST /v1/import ×max (new subscribers)",
    "POST /v1/suppressions ×max",
    "cron run, idle",
    "cron run, marks due",
];

/// The batch limits of `doi_core::limits`, as JSON, for the table.
#[wasm_bindgen]
pub fn limits() -> String {
    serde_json::json!({
        "check": limits::CHECK_BATCH,
        "change": limits::CHANGE_BATCH,
        "prepare": limits::PREPARE_BATCH,
        "export_page": limits::EXPORT_PAGE_MAX,
        "sweep_budget": repair::BUDGET,
    })
    .to_string()
}

/// Prepares `route` (one of [`routes`]) for the next [`run`].
#[wasm_bindgen]
pub fn prepare(route: &str) -> Result<(), JsError> {
    STATE.with(|s| {
        let mut guard = s.borrow_mut();
        let state = guard
            .as_mut()
            .ok_or_else(|| JsError::new("call seed first"))?;
        state.serial += 1;
        let serial = state.serial;
        let world = &state.world;
        let mut fresh = None;
        let next = match route {
            "GET /healthz" => Prepared::Request(Request::new(Method::Get, "/healthz")),
            "GET /v1/forms/newsletter" => Prepared::Request(
                Request::new(Method::Get, "/v1/forms/newsletter")
                    .with_header("origin", doi_worker::testing::world::ORIGIN),
            ),
            "POST /v1/subscribe" => Prepared::Request(subscribe_request(1_000_000 + serial)),
            "GET /u/{token}" => Prepared::Request(Request::new(
                Method::Get,
                &format!("/u/{}", world.token_of(1, "unsubscribe_url")),
            )),
            "POST /u/{token} one-click" => {
                let one = World::new();
                one.seed(0, 2);
                let token = one.token_of(1, "unsubscribe_url");
                fresh = Some(one);
                Prepared::Request(one_click(&token))
            }
            "GET /p/{token}" => Prepared::Request(Request::new(
                Method::Get,
                &format!("/p/{}", world.token_of(1, "preferences_url")),
            )),
            "POST /v1/links" => Prepared::Request(world.api(
                Method::Post,
                "/v1/links",
                Some(serde_json::json!({ "email": email(2), "list": "newsletter" })),
            )),
            "POST /v1/check ×max" => Prepared::Request(check_request(world, limits::CHECK_BATCH)),
            "POST /v1/prepare ×max" => Prepared::Request(world.api(
                Method::Post,
                "/v1/prepare",
                Some(serde_json::json!({
                    "list": "newsletter",
                    "topic": "product",
                    "recipients": (0..limits::PREPARE_BATCH).map(email).collect::<Vec<_>>(),
                })),
            )),
            "GET /v1/export max page" => Prepared::Request(world.api(
                Method::Get,
                &format!("/v1/export?limit={}", limits::EXPORT_PAGE_MAX),
                None,
            )),
            "POST /v1/import ×max (new subscribers)" => {
                let base = 10_000_000 + serial as usize * limits::CHANGE_BATCH;
                Prepared::Request(world.import_request(base, limits::CHANGE_BATCH))
            }
            "POST /v1/suppressions ×max" => {
                let emails: Vec<String> = (0..limits::CHANGE_BATCH)
                    .map(|i| email(20_000_000 + serial as usize * 1_000 + i))
                    .collect();
                Prepared::Request(world.api(
                    Method::Post,
                    "/v1/suppressions",
                    Some(serde_json::json!({ "emails": emails, "reason": "bounce" })),
                ))
            }
            "cron run, idle" => Prepared::Sweep(NOW + 15 * 60 * 1000),
            "cron run, marks due" => {
                // A store whose every subscriber was just imported: once the
                // marks are due, one run refolds as many as its budget allows.
                let due = World::new();
                due.seed(0, limits::CHANGE_BATCH);
                fresh = Some(due);
                Prepared::Sweep(NOW + repair::SETTLE_MS + 60 * 1000)
            }
            other => return Err(JsError::new(&format!("no route {other:?}"))),
        };
        state.fresh = fresh;
        state.next = Some(next);
        Ok(())
    })
}

/// Answers the prepared request once; returns its status (the sweep: 200
/// when it ran). The JavaScript side times this call and nothing else. A
/// read may be run again as prepared; a write is prepared again each time
/// (the JavaScript side does that), so that each run writes something new.
#[wasm_bindgen]
pub fn run() -> Result<u16, JsError> {
    STATE.with(|s| {
        let mut guard = s.borrow_mut();
        let state = guard
            .as_mut()
            .ok_or_else(|| JsError::new("call seed first"))?;
        let world = state.fresh.as_ref().unwrap_or(&state.world);
        match &state.next {
            Some(Prepared::Request(req)) => Ok(world.handle(req).status),
            Some(Prepared::Sweep(at)) => {
                let now = doi_core::Timestamp(*at);
                block_on(repair::sweep(&world.store, now, repair::BUDGET))
                    .map(|_| 200)
                    .map_err(|e| JsError::new(&e.to_string()))
            }
            None => Err(JsError::new("call prepare first")),
        }
    })
}
