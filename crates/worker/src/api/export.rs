//! `GET /v1/export?cursor=…&limit=…`: every subscriber with their state and
//! events, as NDJSON, one page per call. Reads snapshots (one list and one
//! bulk read per 100 subscribers); the cron keeps them complete.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use doi_core::ledger::open;
use doi_core::{Email, Event, SubscriberId, SubscriberState};
use serde::Serialize;

use crate::api::authorize;
use crate::ctx::{Ctx, Net};
use crate::http::{ApiError, Request, Response};
use crate::keys;
use crate::store::Store;
use crate::subscribers::Snapshot;

/// Default page size.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size.
pub const MAX_LIMIT: usize = 1000;

#[derive(Serialize)]
struct Line {
    subscriber_id: SubscriberId,
    email: Option<Email>,
    state: SubscriberState,
    events: Vec<Event>,
}

/// One page of subscribers; `Doi-Next-Cursor` says where the next starts.
pub async fn get<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    let limit = match req.query_param("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::invalid("invalid_request", format!("limit must be 1 to {MAX_LIMIT}"))
            })?,
    };
    let cursor = match req.query_param("cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            URL_SAFE_NO_PAD
                .decode(c.as_bytes())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    ApiError::invalid("invalid_request", "the cursor is not one this API gave out")
                })?,
        ),
    };
    let page = ctx
        .store
        .list(keys::SNAPSHOTS, cursor.as_deref(), limit)
        .await?;
    let names: Vec<String> = page.keys.iter().map(|k| k.name.clone()).collect();
    let values = ctx.store.get_many(&names).await?;
    let mut body = String::new();
    for (name, value) in names.iter().zip(values) {
        let (Some(sid), Some(snapshot)) = (
            keys::subscriber_of(name),
            value.as_deref().and_then(Snapshot::parse),
        ) else {
            continue;
        };
        let mut events: Vec<Event> = snapshot
            .log
            .iter()
            .filter_map(|t| open(t.as_bytes()).ok().map(|e| e.event))
            .collect();
        events.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        let line = Line {
            subscriber_id: sid,
            email: snapshot.email,
            state: snapshot.state,
            events,
        };
        body.push_str(&serde_json::to_string(&line).unwrap_or_default());
        body.push('\n');
    }
    let mut response = Response::new(200, "application/x-ndjson; charset=utf-8", body)
        .with_header("cache-control", "no-store");
    if let Some(next) = page.cursor {
        response = response.with_header("doi-next-cursor", &URL_SAFE_NO_PAD.encode(next));
    }
    Ok(response)
}
