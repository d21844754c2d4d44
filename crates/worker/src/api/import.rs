//! `POST /v1/import`: consents the sender recorded before Dōi, with their
//! provenance. An import is a `Subscribed` event: it never lifts an
//! unsubscribe (only fresh consent through a `Resubscribed` does).

use std::collections::BTreeSet;

use doi_core::{
    ConsentVersion, EventId, EventKind, Evidence, Locale, Method, SubscriberId, Timestamp, TopicId,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::{
    authorize, check_batch, links::list_and_topic, parse_email, Skipped, WRITES_PER_CALL,
};
use crate::ctx::{Ctx, Net};
use crate::http::{json_body, ApiError, Request, Response};
use crate::keys;
use crate::signup::StoredText;
use crate::store::{PutOptions, Store};
use crate::subscribers::{self, Address};

/// Longest `source` kept.
const MAX_SOURCE: usize = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    records: Vec<Record>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    email: String,
    list: String,
    #[serde(default)]
    topics: Option<Vec<String>>,
    consented_at: u64,
    source: String,
    consent_text: String,
    locale: String,
}

#[derive(Serialize)]
struct Answer {
    imported: usize,
    skipped: Vec<Skipped>,
}

struct Valid {
    index: usize,
    sid: SubscriberId,
    email: doi_core::Email,
    id: EventId,
    kind: EventKind,
    text: (ConsentVersion, StoredText),
}

/// Records each valid consent; invalid ones come back in `skipped`.
/// Importing the same record again stores nothing new.
pub async fn post<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, ApiError> {
    authorize(ctx, req)?;
    let ask: Ask = json_body(req)?;
    check_batch(ask.records.len())?;
    let id_key = ctx.id_key()?;
    let mut skipped = Vec::new();
    let mut valid = Vec::new();
    for (index, r) in ask.records.into_iter().enumerate() {
        match validate(ctx, &id_key, index, r) {
            Ok(v) => valid.push(v),
            Err(e) => skipped.push(Skipped {
                index,
                code: e.code(),
            }),
        }
    }
    // Texts first: evidence must never point at a text we do not hold.
    let mut stored: BTreeSet<ConsentVersion> = BTreeSet::new();
    for v in &valid {
        if stored.insert(v.text.0) {
            let key = keys::consent_text(&v.text.0);
            if ctx.store.get(&key).await?.is_none() {
                let json = serde_json::to_string(&v.text.1).unwrap_or_default();
                ctx.store.put(&key, &json, PutOptions::default()).await?;
            }
        }
    }
    let sids: Vec<SubscriberId> = valid.iter().map(|v| v.sid).collect();
    let snapshots = subscribers::read_snapshots(&ctx.store, &sids).await?;
    let mut imported = 0;
    let mut writes = stored.len();
    for (v, snapshot) in valid.into_iter().zip(snapshots) {
        let sub = subscribers::from_snapshot(v.sid, snapshot);
        if sub.log.iter().any(|e| e.event.id == v.id) {
            imported += 1; // imported before: nothing new
            continue;
        }
        if writes + 2 > WRITES_PER_CALL {
            skipped.push(Skipped {
                index: v.index,
                code: "retry_later",
            });
            continue;
        }
        subscribers::append_batched(ctx, &sub, v.id, v.kind, Address::Set(v.email)).await?;
        writes += 2;
        imported += 1;
    }
    skipped.sort_by_key(|s| s.index);
    ctx.log(format!(
        "{imported} consents imported, {} skipped",
        skipped.len()
    ));
    Ok(Response::json(200, &Answer { imported, skipped }))
}

fn validate<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    id_key: &doi_core::IdKey,
    index: usize,
    r: Record,
) -> Result<Valid, ApiError> {
    let email = parse_email(&r.email)?;
    let (list, _) = list_and_topic(ctx, &r.list, None)?;
    let mut topics: Vec<TopicId> = Vec::new();
    for t in r.topics.unwrap_or_default() {
        let (_, topic) = list_and_topic(ctx, list.as_str(), Some(&t))?;
        topics.extend(topic);
    }
    if topics.is_empty() {
        // No topics named: the consent covered the whole list.
        topics = ctx
            .config
            .list(&list)
            .map(|l| l.topics.iter().map(|t| t.id.clone()).collect())
            .unwrap_or_default();
    }
    topics.sort();
    topics.dedup();
    let locale = Locale::from_tag(&r.locale)
        .ok_or_else(|| ApiError::invalid("invalid_request", "locale must be ja or en"))?;
    let source = r.source.trim();
    if source.is_empty() || source.len() > MAX_SOURCE || r.consent_text.trim().is_empty() {
        return Err(ApiError::invalid(
            "invalid_request",
            format!("record {index}: source (≤ {MAX_SOURCE} bytes) and consent_text are required"),
        ));
    }
    let version = ConsentVersion::of(&r.consent_text);
    let sid = id_key.subscriber_id(&email);
    // The same record imported twice is the same event.
    let digest = Sha256::new()
        .chain_update(b"doi import v1\0")
        .chain_update(sid.0)
        .chain_update(list.as_str())
        .chain_update(r.consented_at.to_be_bytes())
        .chain_update(version.0)
        .chain_update(source.as_bytes())
        .finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    let evidence = Evidence {
        method: Method::Import,
        form: None,
        consent_version: version,
        locale,
        page_url: None,
        // For an import, when the sender's record says consent was given.
        client_time: Some(Timestamp(r.consented_at)),
        user_agent: None,
        source: Some(source.to_string()),
    };
    Ok(Valid {
        index,
        sid,
        email,
        id: EventId::from_random(id),
        kind: EventKind::Subscribed {
            list,
            topics,
            frequency: None,
            double_opt_in: false,
            evidence,
        },
        text: (
            version,
            StoredText {
                text: r.consent_text,
                locale,
                form: "import".into(),
            },
        ),
    })
}
