//! `/r/{token}` (a preference link's token): the person's signed consent
//! receipts as a small page, and `?format=json` as the signed file to
//! download. GET only; changes nothing. Costs one listing of the
//! subscriber's events (which brings each key's metadata, where the
//! receipts are), one bulk read per 100 events that have one, and one read
//! of the last-prepared time for `retain_until`.

use doi_core::receipt::{self, Parsed};
use doi_core::token::Purpose;
use doi_core::Timestamp;

use crate::ctx::{Ctx, Net};
use crate::hosted::{shell, verify, PageError};
use crate::http::{Request, Response};
use crate::keys;
use crate::pages::{self, receipt as page};
use crate::store::{list_all, Store};
use crate::subscribers;

/// The page, or the file.
pub async fn get<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
) -> Result<Response, PageError> {
    let claims = verify(ctx, token, Purpose::Preferences)?;
    let sid = claims.subscriber;
    let listed = list_all(&ctx.store, &keys::events_of(&sid)).await?;
    let signed: Vec<_> = listed
        .into_iter()
        .filter(|k| {
            k.metadata
                .as_ref()
                .is_some_and(|m| m.get(crate::receipts::FIELD).is_some())
        })
        .collect();
    let mut receipts: Vec<(String, Parsed)> = Vec::with_capacity(signed.len());
    for chunk in signed.chunks(100) {
        let names: Vec<String> = chunk.iter().map(|k| k.name.clone()).collect();
        for (text, key) in ctx.store.get_many(&names).await?.into_iter().zip(chunk) {
            let Some(logged) = text.and_then(|t| doi_core::ledger::open(t.as_bytes()).ok()) else {
                continue;
            };
            if logged.event.subscriber != sid {
                continue;
            }
            let Some(jws) = crate::receipts::jws_of(&logged, key.metadata.as_ref()) else {
                continue;
            };
            if let Ok(parsed) = receipt::parse(&jws) {
                receipts.push((jws, parsed));
            }
        }
    }
    receipts.sort_by_key(|(_, p)| p.receipt.at);
    let state = subscribers::read_snapshot(&ctx.store, &sid)
        .await?
        .map(|s| s.state);
    let prepared = crate::retention::prepared(&ctx.store).await?;
    let until: Option<Timestamp> = state
        .as_ref()
        .and_then(|s| doi_core::retention::retain_until(s, prepared));
    let jwks = format!("{}/.well-known/jwks.json", ctx.base_url);
    if req.query_param("format").as_deref() == Some("json") {
        let jws: Vec<&String> = receipts.iter().map(|(j, _)| j).collect();
        let body = serde_json::json!({
            "subscriber_id": sid,
            "receipts": jws,
            "retain_until": until.map(|t| t.to_string()),
            "jwks": jwks,
        });
        return Ok(Response::json(200, &body)
            .with_header("cache-control", "no-store")
            .with_header(
                "content-disposition",
                &format!("attachment; filename=\"consent-receipts-{sid}.json\""),
            ));
    }
    let shell = shell(ctx, req);
    let parsed: Vec<&Parsed> = receipts.iter().map(|(_, p)| p).collect();
    let download = format!("/r/{token}?format=json");
    Ok(pages::html(
        200,
        page::render(&shell, &parsed, until, &jwks, &download),
    ))
}
