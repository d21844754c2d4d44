//! Unsubscribing by mail: what the Worker's `email` handler (Cloudflare
//! Email Routing) does with a mail sent to the `List-Unsubscribe` mailto
//! address. The signed token in its subject ([`doi_core::mailto`]) names
//! whom to unsubscribe; the `From:` is never read. A mail to another
//! address, or without a valid token, changes nothing and gets no answer
//! (a bounce to a forged sender would be backscatter); only its reason is
//! logged, without any address.

use doi_core::mailto::{claims_in_subject, is_unsubscribe_address, mailto_event, Refusal};
use doi_core::SubscriberId;

use crate::ctx::{Ctx, Net};
use crate::http::ApiError;
use crate::store::Store;
use crate::subscribers::{self, Address};

/// What a mail to the unsubscribe address did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The token's subscriber is unsubscribed from what it is for; the
    /// event is written.
    Unsubscribed(SubscriberId),
    /// Nothing changed, for this reason.
    Ignored(Refusal),
}

/// Handles one mail: `to` is its envelope recipient, `subject` its
/// `Subject:` header. An error is a failed write (or missing keys): the
/// caller rejects the mail, so that its sender learns it did not work.
pub async fn receive<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    to: &str,
    subject: &str,
) -> Result<Outcome, ApiError> {
    let ours = ctx.config.mail.unsubscribe_mailto.as_deref();
    if !ours.is_some_and(|address| is_unsubscribe_address(address, to)) {
        return Ok(ignored(ctx, Refusal::NotOurAddress));
    }
    let claims = match claims_in_subject(&ctx.keyring()?, subject, ctx.now) {
        Ok(claims) => claims,
        Err(refusal) => return Ok(ignored(ctx, refusal)),
    };
    let sub = subscribers::before_change(&ctx.store, claims.subscriber).await?;
    let kind = mailto_event(&claims);
    subscribers::append(ctx, &sub, ctx.fresh_id(), kind, Address::Keep).await?;
    ctx.log(format!(
        "mailto: subscriber {} unsubscribed",
        claims.subscriber
    ));
    Ok(Outcome::Unsubscribed(claims.subscriber))
}

fn ignored<S: Store, N: Net>(ctx: &Ctx<S, N>, refusal: Refusal) -> Outcome {
    ctx.log(format!(
        "mailto: ignored a mail ({refusal}); nothing changed, no answer"
    ));
    Outcome::Ignored(refusal)
}
