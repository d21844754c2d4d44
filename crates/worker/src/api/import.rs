//! `POST /v1/import`: consents the sender recorded before Dōi, with their
//! provenance, checked by `doi_core::import`. An import is a `Subscribed`
//! event: it never lifts a withdrawal at any scope.

use std::collections::BTreeSet;

use doi_core::import::{CheckedImport, ImportRecord};
use doi_core::{ConsentVersion, EventId, SubscriberId};
use serde::{Deserialize, Serialize};

use crate::api::{authorize, check_batch, Skipped, WRITES_PER_CALL, WRITES_PER_CHANGE};
use crate::ctx::{Ctx, Net};
use crate::http::{json_body, ApiError, Request, Response};
use crate::store::Store;
use crate::subscribers::{self, Address};
use crate::texts::{self, StoredText};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    records: Vec<ImportRecord>,
}

#[derive(Serialize)]
struct Answer {
    imported: usize,
    skipped: Vec<Skipped>,
}

struct Valid {
    index: usize,
    checked: CheckedImport,
}

/// Records each valid consent; invalid ones come back in `skipped`.
/// Importing the same record again stores nothing new.
pub async fn post<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    let ask: Ask = json_body(req)?;
    check_batch(ask.records.len(), doi_core::limits::CHANGE_BATCH)?;
    let id_key = ctx.id_key()?;
    let mut skipped = Vec::new();
    let mut valid = Vec::new();
    for (index, r) in ask.records.into_iter().enumerate() {
        match r.check(ctx.config, &id_key, ctx.now) {
            Ok(checked) => valid.push(Valid { index, checked }),
            Err(e) => skipped.push(Skipped {
                index,
                code: e.code(),
            }),
        }
    }
    // Texts first: evidence must never point at a text we do not hold.
    let mut stored: BTreeSet<ConsentVersion> = BTreeSet::new();
    for v in &valid {
        let (version, text, locale) = &v.checked.text;
        if stored.insert(*version) {
            let shown = StoredText {
                text: text.clone(),
                locale: *locale,
                form: "import".into(),
            };
            texts::store(ctx, version, &shown).await?;
        }
    }
    let sids: Vec<SubscriberId> = valid.iter().map(|v| v.checked.subscriber).collect();
    let snapshots = subscribers::read_snapshots(&ctx.store, &sids).await?;
    // Imported before (the id is derived from the record): nothing new.
    let events: Vec<(SubscriberId, EventId)> = valid
        .iter()
        .map(|v| (v.checked.subscriber, v.checked.id.clone()))
        .collect();
    let existing = subscribers::events_stored(&ctx.store, &events).await?;
    let mut imported = 0;
    let mut writes = stored.len();
    for ((v, snapshot), exists) in valid.into_iter().zip(snapshots).zip(existing) {
        let c = v.checked;
        let sub = subscribers::from_snapshot(c.subscriber, snapshot);
        if exists || sub.recent.iter().any(|r| r.id == c.id) {
            imported += 1;
            continue;
        }
        if writes + WRITES_PER_CHANGE > WRITES_PER_CALL {
            skipped.push(Skipped {
                index: v.index,
                code: "retry_later",
            });
            continue;
        }
        subscribers::append(ctx, &sub, c.id, c.kind, Address::Set(c.email)).await?;
        writes += WRITES_PER_CHANGE;
        imported += 1;
    }
    skipped.sort_by_key(|s| s.index);
    ctx.log(format!(
        "{imported} consents imported, {} skipped",
        skipped.len()
    ));
    Ok(Response::json(200, &Answer { imported, skipped }))
}
