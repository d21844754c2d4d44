//! Recording a checked signup (from the widget or the hosted page) and
//! sending the double opt-in confirmation.
//!
//! The answer never depends on what was stored before: a new address, an
//! active one and a returning one all get the same response, so the form
//! cannot be used to find out who is subscribed. The event id is the
//! widget's record id: a retry finds its event and stores nothing new.

use doi_core::consent::CheckedConsent;
use doi_core::fold::{SignupKind, Status};
use doi_core::mail::{confirmation_mail, links, Recipient};
use doi_core::token::{Claims, Purpose};
use doi_core::{Email, EventKind, ListId, Locale, SubscriberId};
use serde::Serialize;

use crate::ctx::{Ctx, Net};
use crate::delivery::{self, Confirmation};
use crate::http::ApiError;
use crate::keys;
use crate::store::{PutOptions, Store};
use crate::subscribers::{self, Address};

/// How long the per-address confirmation counter lives (it is per UTC day).
const RATE_TTL_SECS: u64 = 2 * 24 * 3600;

/// What `text/{version}` holds.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StoredText {
    /// The exact text.
    pub text: String,
    /// Its language.
    pub locale: Locale,
    /// The form that showed it.
    pub form: String,
}

/// The answer to a signup, the same for everyone who sent the same form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// Always true.
    pub ok: bool,
    /// The record id (the event id).
    pub record_id: String,
    /// Whether a confirmation mail follows.
    pub double_opt_in: bool,
    /// `pending` or `subscribed`, by the form alone.
    pub status: &'static str,
}

/// Records `checked` and, for double opt-in, sends the confirmation mail.
pub async fn sign_up<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    checked: CheckedConsent,
) -> Result<Receipt, ApiError> {
    let form = &checked.form;
    let receipt = Receipt {
        ok: true,
        record_id: checked.id.as_str().to_string(),
        double_opt_in: form.double_opt_in,
        status: if form.double_opt_in {
            "pending"
        } else {
            "subscribed"
        },
    };
    let sid = ctx.id_key()?.subscriber_id(&checked.email);
    let already = ctx
        .store
        .get(&keys::event(&sid, &checked.id))
        .await?
        .is_some();
    let sub = subscribers::load(&ctx.store, sid).await?;
    let state = if already {
        sub.state
    } else {
        store_text(ctx, &checked).await?;
        let kind = match sub.state.signup_kind(&form.list) {
            SignupKind::Returning => EventKind::Resubscribed {
                list: form.list.clone(),
                topics: checked.topics.clone(),
                frequency: None,
                double_opt_in: form.double_opt_in,
                evidence: checked.evidence.clone(),
            },
            SignupKind::New | SignupKind::AlreadyActive | SignupKind::AlreadyPending => {
                EventKind::Subscribed {
                    list: form.list.clone(),
                    topics: checked.topics.clone(),
                    frequency: None,
                    double_opt_in: form.double_opt_in,
                    evidence: checked.evidence.clone(),
                }
            }
        };
        let state = subscribers::append(
            ctx,
            &sub,
            checked.id.clone(),
            kind,
            Address::Set(checked.email.clone()),
        )
        .await?;
        ctx.log(format!("signup recorded for subscriber {sid}"));
        state
    };
    let pending = state
        .list(&form.list)
        .is_some_and(|l| l.status == Status::Pending);
    if pending {
        confirm(
            ctx,
            sid,
            &checked.email,
            &form.list,
            checked.evidence.locale,
        )
        .await?;
    }
    Ok(receipt)
}

/// Stores the consent text under its version, once, before any evidence
/// points at it.
async fn store_text<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    checked: &CheckedConsent,
) -> Result<(), ApiError> {
    let e = &checked.evidence;
    let key = keys::consent_text(&e.consent_version);
    if ctx.store.get(&key).await?.is_some() {
        return Ok(());
    }
    let stored = StoredText {
        text: checked.form.consent.get(e.locale).to_string(),
        locale: e.locale,
        form: checked.form.id.to_string(),
    };
    let text = serde_json::to_string(&stored).unwrap_or_default();
    ctx.store.put(&key, &text, PutOptions::default()).await?;
    Ok(())
}

/// Sends the confirmation mail unless this address already got the day's
/// allowance (then silently nothing: the caller's answer must not change).
pub async fn confirm<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    sid: SubscriberId,
    email: &Email,
    list: &ListId,
    locale: Locale,
) -> Result<(), ApiError> {
    let Some(settings) = &ctx.config.confirmation else {
        return Err(ApiError::Misconfigured(
            "doi.toml: a form uses double opt-in but there is no [confirmation] section".into(),
        ));
    };
    let counter = keys::confirmations_sent(&sid, ctx.now);
    let sent: u32 = ctx
        .store
        .get(&counter)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    if sent >= settings.max_per_address_per_day {
        ctx.log(format!(
            "confirmation mail not sent to subscriber {sid}: daily limit reached"
        ));
        return Ok(());
    }
    // Count first: if counting fails, nothing is sent (no unbounded mail).
    ctx.store
        .put(
            &counter,
            &(sent + 1).to_string(),
            PutOptions {
                ttl_secs: Some(RATE_TTL_SECS),
                metadata: None,
            },
        )
        .await?;
    let keyring = ctx.keyring()?;
    let recipient = Recipient {
        subscriber: sid,
        list: list.clone(),
        topic: None,
    };
    let l = links(
        ctx.config,
        &keyring,
        &ctx.base_url,
        &recipient,
        locale,
        ctx.now,
    );
    let token = keyring.sign(&Claims {
        purpose: Purpose::Confirm,
        subscriber: sid,
        list: list.clone(),
        topic: None,
        issued: ctx.now,
    });
    let confirm_url = format!("{}/c/{token}", ctx.base_url);
    let mail = confirmation_mail(
        ctx.config,
        locale,
        &confirm_url,
        &l.unsubscribe_url,
        &l.preferences_url,
    );
    delivery::send(
        ctx,
        &Confirmation {
            to: email,
            locale,
            mail,
            confirm_url,
            unsubscribe_url: l.unsubscribe_url,
        },
    )
    .await
    .inspect_err(|e| ctx.log(format!("confirmation for subscriber {sid} failed: {e}")))?;
    ctx.log(format!("confirmation mail sent to subscriber {sid}"));
    Ok(())
}
