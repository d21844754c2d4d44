//! The `email` entry point (Cloudflare Email Routing → this Worker): hands
//! the envelope recipient and the `Subject:` header to [`crate::mailto`].
//! A mail that changed nothing is accepted and dropped, unanswered; a
//! failed write rejects the mail, so its sender's server reports it.

use doi_core::Timestamp;
use worker::{
    console_error, console_log, event, Context, Date, Env, ForwardableEmailMessage, Headers,
};

use super::{secrets, seed, FetchNet, Kv, KV_BINDING};
use crate::ctx::Ctx;
use crate::mailto;
use crate::repair;

/// What a rejected mail's sender reads (SMTP replies are ASCII).
const TRY_AGAIN: &str =
    "The unsubscribe could not be recorded just now. Please try again later, or use the unsubscribe link in the mail.";

#[event(email)]
async fn email(message: ForwardableEmailMessage, env: Env, wctx: Context) -> worker::Result<()> {
    let config = match crate::config() {
        Ok(c) => c,
        Err(problem) => {
            console_error!("misconfigured: {problem}");
            message.set_reject(TRY_AGAIN);
            return Ok(());
        }
    };
    let Ok(kv) = env.kv(KV_BINDING) else {
        console_error!("misconfigured: the KV binding {KV_BINDING} is missing");
        message.set_reject(TRY_AGAIN);
        return Ok(());
    };
    let store = Kv(kv);
    let mut ctx = Ctx::new(
        config,
        secrets(&env),
        store.clone(),
        FetchNet,
        Timestamp(Date::now().as_millis()),
        seed(),
    );
    // A mail has no request origin: the receipt's issuer (`iss`) is the
    // configured public origin, or empty (said in the log) without one.
    match ctx.secrets.public_url() {
        Some(origin) => ctx.base_url = origin.to_string(),
        None => ctx.log(format!(
            "{} is not set: a withdrawal by mail is signed with no issuer",
            crate::secrets::PUBLIC_URL
        )),
    }
    let subject = Headers(message.headers())
        .get("subject")
        .ok()
        .flatten()
        .unwrap_or_default();
    if let Err(e) = mailto::receive(&ctx, &message.to(), &subject).await {
        console_error!("mailto: {e}; the mail is rejected");
        message.set_reject(TRY_AGAIN);
    }
    for line in ctx.take_logs() {
        console_log!("{line}");
    }
    for task in ctx.take_tasks() {
        let store = store.clone();
        wctx.wait_until(async move {
            let lines = repair::run(&store, task, |ms| {
                worker::Delay::from(std::time::Duration::from_millis(ms))
            })
            .await;
            for line in lines {
                console_log!("{line}");
            }
        });
    }
    Ok(())
}
