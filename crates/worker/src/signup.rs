//! Recording a checked signup (from the widget or the hosted page) and
//! sending the double opt-in confirmation.
//!
//! What a signup records is decided by `doi_core::signup::signup_event`:
//! nothing when nothing is new (so repeats cannot grow a log), a
//! resubscribe awaiting confirmation for someone who left. The answer never
//! depends on what was stored before: a new address, an active one and a
//! returning one all get the same response, so the form cannot be used to
//! find out who is subscribed. The event id is the widget's record id: a
//! retry finds its event and stores nothing new.

use doi_core::consent::CheckedConsent;
use doi_core::fold::Status;
use doi_core::mail::{confirmation_mail, links, Recipient};
use doi_core::signup::{signup_event, SignupEffect};
use doi_core::token::{Claims, Purpose};
use doi_core::{Email, ListId, Locale, SubscriberId};
use serde::Serialize;

use crate::ctx::{Ctx, Net};
use crate::delivery::{self, Confirmation};
use crate::http::ApiError;
use crate::keys;
use crate::store::{PutOptions, Store};
use crate::subscribers::{self, Address};
use crate::texts::{self, StoredText};

/// How long the per-address confirmation counters live (they are per UTC day).
const RATE_TTL_SECS: u64 = 2 * 24 * 3600;
/// Failed delivery attempts allowed per address per day beyond the cap.
const MAX_FAILED_TRIES: u32 = 3;

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
/// A double opt-in signup answers 2xx only once the mail was accepted for
/// delivery (today, within the cap); a retry with the same record id stores
/// nothing new and tries the delivery again.
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
    let sub = subscribers::before_change(&ctx.store, sid).await?;
    let effect = if already {
        SignupEffect::NoChange
    } else {
        signup_event(
            &sub.state,
            ctx.config,
            form,
            &checked.topics,
            &checked.evidence,
        )
    };
    let state = match effect {
        SignupEffect::NoChange => sub.state,
        SignupEffect::Record(kind) => {
            let e = &checked.evidence;
            let shown = StoredText {
                text: form.consent.get(e.locale).to_string(),
                locale: e.locale,
                form: form.id.to_string(),
            };
            texts::store(ctx, &e.consent_version, &shown).await?;
            let state = subscribers::append(
                ctx,
                &sub,
                checked.id.clone(),
                *kind,
                Address::Set(checked.email.clone()),
            )
            .await?;
            ctx.log(format!("signup recorded for subscriber {sid}"));
            state
        }
    };
    let pending = state
        .list(&form.list)
        .is_some_and(|l| l.status == Status::Pending);
    if pending {
        let sent = confirm(
            ctx,
            sid,
            &checked.email,
            &form.list,
            checked.evidence.locale,
        )
        .await;
        match sent {
            Ok(()) => {}
            // A single opt-in form's answer must not reveal that this
            // address once left (its signup then waits for a confirmation):
            // the failure is logged, the "no" still holds.
            Err(e) if !form.double_opt_in => {
                ctx.log(format!("returning signup of {sid} not confirmed: {e}"));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(receipt)
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
    let sent_key = keys::confirmations_sent(&sid, ctx.now);
    let tries_key = keys::confirmation_tries(&sid, ctx.now);
    let count = |v: Option<String>| -> u32 { v.and_then(|v| v.trim().parse().ok()).unwrap_or(0) };
    let sent = count(ctx.store.get(&sent_key).await?);
    let max = settings.max_per_address_per_day;
    if sent >= max {
        ctx.log(format!(
            "confirmation mail not sent again to subscriber {sid}: today's {max} were accepted"
        ));
        return Ok(());
    }
    let tries = count(ctx.store.get(&tries_key).await?);
    if tries >= max + MAX_FAILED_TRIES {
        if sent > 0 {
            return Ok(()); // one was accepted today; no more attempts
        }
        return Err(ApiError::DeliveryFailed(
            "the confirmation mail could not be delivered today".into(),
        ));
    }
    // Count the attempt first: if counting fails, nothing is sent (no
    // unbounded mail).
    let day = PutOptions {
        ttl_secs: Some(RATE_TTL_SECS),
        metadata: None,
    };
    ctx.store
        .put(&tries_key, &(tries + 1).to_string(), day.clone())
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
    // The mail is out: a failure to count it only allows one more attempt.
    if let Err(e) = ctx.store.put(&sent_key, &(sent + 1).to_string(), day).await {
        ctx.log(format!("counting the confirmation of {sid} failed: {e}"));
    }
    Ok(())
}
