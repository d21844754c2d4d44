//! `/c/{token}`: GET shows a button (and a script that presses it once it
//! sees a person, `pages::confirm`) and changes nothing; POST confirms.
//! Confirming twice is confirming once: the event id comes from the token.

use doi_core::token::Purpose;
use doi_core::{EventId, EventKind};

use crate::ctx::{Ctx, Net};
use crate::hosted::{action, shell, verify, PageError};
use crate::http::{Request, Response};
use crate::keys;
use crate::pages::{self, confirm};
use crate::store::Store;
use crate::subscribers::{self, Address};

/// The page with the button.
pub fn get<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
) -> Result<Response, PageError> {
    verify(ctx, token, Purpose::Confirm)?;
    let shell = shell(ctx, req);
    let own = action(&format!("/c/{token}"), shell.locale);
    Ok(confirm::ask(&shell, &own))
}

/// Records the confirmation (once) and says what is now true.
pub async fn post<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
    token: &str,
) -> Result<Response, PageError> {
    let claims = verify(ctx, token, Purpose::Confirm)?;
    // Confirming twice with one link is one event.
    let id = EventId::derive(b"doi confirm v1", &[token.as_bytes()]);
    let done_before = ctx
        .store
        .get(&keys::event(&claims.subscriber, &id))
        .await?
        .is_some();
    let sub = subscribers::before_change(&ctx.store, claims.subscriber).await?;
    let state = if done_before {
        sub.state
    } else {
        let kind = EventKind::Confirmed {
            list: claims.list.clone(),
            link_issued: Some(claims.issued),
        };
        let state = subscribers::append(ctx, &sub, id, kind, Address::Keep).await?;
        ctx.log(format!("subscriber {} confirmed", claims.subscriber));
        state
    };
    let shell = shell(ctx, req);
    Ok(pages::html(
        200,
        confirm::done(&shell, &claims.list, &state, ctx.now),
    ))
}
