//! The `scheduled` entry point (the minutely cron): the repair sweep, then
//! the console's overview recount when it is due and the repair left the
//! run idle, then the receipts a provider's delivery could not sign.
//! (Moved out of `edge.rs`, which the file-length rule had outgrown.)

use doi_core::Timestamp;
use worker::{console_error, console_log, event, Date, Env, ScheduleContext, ScheduledEvent};

use super::{secrets, seed, FetchNet, Kv, KV_BINDING};
use crate::ctx::Ctx;
use crate::repair;

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let Ok(kv) = env.kv(KV_BINDING) else {
        console_error!("misconfigured: the KV binding {KV_BINDING} is missing");
        return;
    };
    let now = Timestamp(Date::now().as_millis());
    let swept = repair::sweep(&Kv(kv.clone()), now, repair::BUDGET).await;
    let refolded = matches!(&swept, Ok(s) if s.subscribers > 0);
    match swept {
        Ok(s) if !s.looked => {}
        Ok(s) => console_log!(
            "repair: {} subscribers refolded, {} snapshots rewritten, {} failed, {} KV operations{}",
            s.subscribers,
            s.repaired,
            s.failed,
            s.operations,
            if s.complete { "" } else { "; more next time" }
        ),
        Err(e) => console_error!("repair failed: {e}"),
    }
    // The console's overview: a page of subscribers when a recount is due,
    // in a run the repair left idle (they would share one run's CPU).
    if let Some(line) = crate::overview::scheduled(&Kv(kv), now, refolded).await {
        console_log!("{line}");
    }
    deferred_receipts(&env, now).await;
}

/// The cron's share of receipts a provider's delivery could not sign
/// ([`crate::receipts::deferred`]).
async fn deferred_receipts(env: &Env, now: Timestamp) {
    let (Ok(config), Ok(kv)) = (crate::config(), env.kv(KV_BINDING)) else {
        return;
    };
    let mut ctx = Ctx::new(config, secrets(env), Kv(kv), FetchNet, now, seed());
    if let Some(origin) = ctx.secrets.public_url() {
        ctx.base_url = origin.to_string();
    }
    match crate::receipts::deferred::run(&ctx).await {
        Ok(done) if done.looked => console_log!(
            "receipts: {} signed by the cron, {} of events gone",
            done.signed,
            done.gone
        ),
        Ok(_) => {}
        Err(e) => console_error!("deferred receipts failed: {e}"),
    }
    for line in ctx.take_logs() {
        console_log!("{line}");
    }
}
