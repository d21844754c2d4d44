//! `GET /v1/export?cursor=…&limit=…`: every subscriber with their state and
//! events, as NDJSON, one page per call. Snapshots hold no events: each
//! subscriber's events are listed and read (one list and one bulk read per
//! 100 events), and written out byte for byte as stored, so whoever holds
//! the export can check every hash. A page of `limit` subscribers costs
//! about 2 × `limit` KV operations (a Worker may do 1,000 per invocation)
//! and, as wasm, about 13 µs of CPU each plus about 30 µs per event for
//! rebuilding its receipt, so `limit` stops at
//! [`doi_core::limits::EXPORT_PAGE_MAX`]. The snapshot's address and state
//! are copied into the line as stored, and each event only has its id,
//! time and subscriber read: nothing is parsed that is written out again.
//!
//! Each line also carries `receipts`, the signed consent receipt of every
//! event that has one (compact JWS, rebuilt from the event and its key's
//! metadata: see [`doi_core::receipt`]), and `retain_until`, until when
//! the record must be kept ([`doi_core::retention`]; one read of the
//! last-prepared time per page, and the state parsed for it).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use doi_core::{SubscriberId, SubscriberState};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::api::authorize;
use crate::ctx::{Ctx, Net};
use crate::http::{ApiError, Request, Response};
use crate::keys;
use crate::store::Store;
use crate::subscribers::stored_log;

/// Default page size.
pub const DEFAULT_LIMIT: usize = doi_core::limits::EXPORT_PAGE_DEFAULT;
/// Largest page size.
pub const MAX_LIMIT: usize = doi_core::limits::EXPORT_PAGE_MAX;

/// A subscriber's line before its events: the stored snapshot's address
/// and state, copied as stored (never parsed and written again).
#[derive(Serialize)]
struct Head<'a> {
    subscriber_id: SubscriberId,
    email: Option<&'a RawValue>,
    state: &'a RawValue,
}

/// The part of a stored snapshot the export copies.
#[derive(Deserialize)]
struct Stored<'a> {
    #[serde(borrow, default)]
    email: Option<&'a RawValue>,
    #[serde(borrow, default)]
    state: Option<&'a RawValue>,
}

/// One page of subscribers; `Doi-Next-Cursor` says where the next starts.
pub async fn get<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    page(ctx, req).await
}

/// The page `req`'s `cursor` and `limit` ask for, whoever is asking (the
/// API after its bearer token, the console after its sign-in).
pub async fn page<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
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
    // A snapshot without a state (never written so) exports the empty one.
    let empty = serde_json::value::to_raw_value(&SubscriberState::default())
        .map_err(|_| ApiError::StorageUnavailable)?;
    let prepared = crate::retention::prepared(&ctx.store).await?;
    let mut body = String::new();
    for (name, value) in names.iter().zip(values) {
        let Some(sid) = keys::subscriber_of(name) else {
            continue;
        };
        let Some(stored) = value
            .as_deref()
            .and_then(|v| serde_json::from_str::<Stored>(v).ok())
        else {
            continue;
        };
        let head = Head {
            subscriber_id: sid,
            email: stored.email,
            state: stored.state.unwrap_or(&empty),
        };
        let head = serde_json::to_string(&head).map_err(|_| ApiError::StorageUnavailable)?;
        // `{…head…,"events":[stored bytes, …]}`: the events exactly as sealed.
        body.push_str(head.strip_suffix('}').unwrap_or(&head));
        body.push_str(",\"events\":[");
        let log = stored_log(&ctx.store, &sid).await?;
        for (i, (text, _)) in log.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(text);
        }
        let receipts: Vec<&String> = log.iter().filter_map(|(_, r)| r.as_ref()).collect();
        let until = value
            .as_deref()
            .and_then(crate::subscribers::Snapshot::state_of)
            .and_then(|state| doi_core::retention::retain_until(&state, prepared))
            .map(|t| t.to_string());
        let tail = serde_json::json!({ "receipts": receipts, "retain_until": until });
        body.push_str("],");
        let tail = serde_json::to_string(&tail).map_err(|_| ApiError::StorageUnavailable)?;
        body.push_str(tail.strip_prefix('{').unwrap_or(&tail));
        body.push('\n');
    }
    let mut response = Response::new(200, "application/x-ndjson; charset=utf-8", body)
        .with_header("cache-control", "no-store");
    if let Some(next) = page.cursor {
        response = response.with_header("doi-next-cursor", &URL_SAFE_NO_PAD.encode(next));
    }
    Ok(response)
}
