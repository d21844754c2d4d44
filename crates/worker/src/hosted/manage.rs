//! `/m`: "Lost the mail? Get a link". GET shows a one-field form; POST
//! answers the same page whatever the address (known, unknown, left,
//! erased) — same words, same status, and the same work before answering:
//! one KV read and one write of a per-address daily counter. Whether a mail
//! goes out is decided after the answer, in the background
//! ([`crate::ctx::Task::SendManageLink`], run by [`deliver`]), so the
//! answer's timing does not depend on it either. Per client the route counts
//! against the signup rate limit (`ratelimit.rs`).

use doi_core::mail::{links, Recipient};
use doi_core::manage::{list_to_link, manage_link_mail};
use doi_core::text::email_error;
use doi_core::{Email, Locale};

use crate::ctx::{Ctx, Net, Task};
use crate::delivery::{self, LinkMail};
use crate::formdata::parse_form;
use crate::hosted::{action, shell, PageError};
use crate::http::{ApiError, Request, Response};
use crate::keys;
use crate::pages::{self, manage};
use crate::store::{PutOptions, Store};

/// Links one address may be sent per UTC day (anti mail-bombing).
pub const MAX_PER_ADDRESS_PER_DAY: u32 = 3;

/// The form.
pub fn get<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, PageError> {
    let shell = shell(ctx, req);
    let own = action("/m", shell.locale);
    Ok(pages::html(200, manage::ask(&shell, &own, "", None)))
}

/// The same answer for every address; the mail, if any, later.
pub async fn post<S: Store, N: Net>(ctx: &Ctx<S, N>, req: &Request) -> Result<Response, PageError> {
    let fields = parse_form(req)?;
    let shell = shell(ctx, req);
    let own = action("/m", shell.locale);
    let typed = fields.get_or_empty("email");
    let email = match Email::parse(&typed) {
        Ok(e) => e,
        Err(e) => {
            let problem = email_error(&e, shell.locale);
            return Ok(pages::html(
                422,
                manage::ask(&shell, &own, &typed, Some(&problem)),
            ));
        }
    };
    if !fields.get_or_empty("website").is_empty() {
        // The honeypot: a bot gets the same page and no mail.
        return Ok(pages::html(200, manage::sent(&shell)));
    }
    let sid = ctx.id_key()?.subscriber_id(&email);
    let key = keys::manage_links_sent(&sid, ctx.now);
    #[allow(
        clippy::disallowed_methods,
        reason = "a read: no counter yet is none sent today"
    )]
    let sent: u32 = ctx
        .store
        .get(&key)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_default();
    if sent < MAX_PER_ADDRESS_PER_DAY {
        let day = PutOptions {
            ttl_secs: Some(2 * 24 * 3600),
            metadata: None,
        };
        ctx.store.put(&key, &(sent + 1).to_string(), day).await?;
        ctx.defer(Task::SendManageLink {
            email,
            locale: shell.locale,
        });
    } else {
        ctx.log(format!(
            "no preference link for subscriber {sid}: today's {MAX_PER_ADDRESS_PER_DAY} were asked for"
        ));
    }
    Ok(pages::html(200, manage::sent(&shell)))
}

/// After the answer: mails `email` a fresh preference link if it is known
/// (and not erased); otherwise nothing. Returns the log lines.
pub async fn deliver<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    email: &Email,
    locale: Locale,
) -> Result<(), ApiError> {
    let sid = ctx.id_key()?.subscriber_id(email);
    #[allow(
        clippy::disallowed_methods,
        reason = "a read: no snapshot is an address nobody knows"
    )]
    let state = crate::subscribers::read_snapshot(&ctx.store, &sid)
        .await?
        .map(|s| s.state)
        .unwrap_or_default();
    let Some(list) = list_to_link(&state) else {
        ctx.log("a preference link was asked for an unknown or erased address: no mail");
        return Ok(());
    };
    let keyring = ctx.keyring()?;
    let recipient = Recipient {
        subscriber: sid,
        list,
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
    let mail = manage_link_mail(ctx.config, locale, &l.preferences_url, &l.unsubscribe_url);
    delivery::send_link(
        ctx,
        &LinkMail {
            to: email,
            locale,
            mail,
            preferences_url: l.preferences_url,
            unsubscribe_url: l.unsubscribe_url,
        },
    )
    .await?;
    ctx.log(format!("preference link mailed to subscriber {sid}"));
    Ok(())
}

/// [`deliver`] as the background task runs it: failures become log lines.
pub async fn run<S: Store, N: Net>(ctx: &Ctx<S, N>, email: &Email, locale: Locale) {
    if let Err(e) = deliver(ctx, email, locale).await {
        ctx.log(format!("preference link not mailed: {e}"));
    }
}
