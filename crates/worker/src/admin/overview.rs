//! `GET /admin/overview`: per list, subscribers by status, topic and
//! frequency, sign-ups and unsubscribes per day (30 and 90 days, drawn as
//! SVG), how people left and why, and sign-ups per form — read from the
//! rollup the cron keeps ([`crate::overview`]): one KV read whatever the
//! number of subscribers. `POST /admin/overview/recount` ("recount now")
//! counts up to [`crate::overview::RECOUNT_PAGES`] pages at once.
//!
//! Every number cell carries `data-count="{list}.{what}"`, so that a test
//! can read what the page says and compare it with the export and
//! `/v1/check`.

use doi_core::console::rollup::{ListCounts, Rollup, VIAS};
use doi_core::console::summary::Standing;
use doi_core::html::Escaped;
use doi_core::text::Msg;
use doi_core::Locale;

use super::view::{jst, notice, utc, Console};
use crate::ctx::Net;
use crate::hosted::PageError;
use crate::http::Response;
use crate::store::Store;

pub mod chart;
pub mod texts;

use texts::{fill, O};

/// The path of the page.
pub const PATH: &str = "/admin/overview";

/// `GET /admin/overview`.
pub async fn page<S: Store, N: Net>(page: &Console<'_, S, N>) -> Result<Response, PageError> {
    let stored = crate::overview::load(&page.ctx.store).await?;
    let l = page.locale;
    let t = |m: O| m.text(l);
    let mut main = String::new();
    match &stored.done {
        Some(r) => main.push_str(&format!(
            "<p>{}</p>",
            Escaped(&fill(
                O::AsOf,
                l,
                &[("jst", &jst(r.started)), ("utc", &utc(r.started))]
            ))
        )),
        None => main.push_str(&notice(t(O::NotYet), false)),
    }
    if let Some(p) = &stored.pass {
        let n = p.rollup.subscribers.to_string();
        main.push_str(&notice(&fill(O::Underway, l, &[("n", &n)]), false));
    }
    main.push_str(&page.form(
        "/admin/overview/recount",
        "",
        &format!(
            "<p>{}</p><button type=\"submit\">{}</button>",
            Escaped(t(O::HowCounted)),
            Escaped(t(O::Recount))
        ),
    ));
    if let Some(r) = &stored.done {
        main.push_str(&rollup_html(page, r));
    }
    Ok(page.page(200, PATH, page.t(super::texts::C::OverviewTitle), &main))
}

/// `POST /admin/overview/recount`: counts now, then shows the overview.
pub async fn recount<S: Store, N: Net>(page: &Console<'_, S, N>) -> Result<Response, PageError> {
    let ctx = page.ctx;
    let run = crate::overview::run(
        &ctx.store,
        ctx.config,
        ctx.now,
        crate::overview::RECOUNT_PAGES,
        true,
    )
    .await?;
    ctx.log(format!(
        "console: recount of the overview, {} subscribers counted{}",
        run.counted,
        if run.finished {
            ""
        } else {
            "; the cron goes on"
        }
    ));
    Ok(super::view::redirect(&crate::hosted::action(
        PATH,
        page.locale,
    )))
}

/// A table of `(label, key, count)` rows under heading `h`.
fn table(l: Locale, h: &str, column: O, list: &str, rows: &[(String, String, u64)]) -> String {
    let body: String = rows
        .iter()
        .map(|(label, key, n)| {
            format!(
                "<tr><th scope=\"row\">{}</th><td data-count=\"{}.{}\">{n}</td></tr>",
                Escaped(label),
                Escaped(list),
                Escaped(key)
            )
        })
        .collect();
    format!(
        "<h3>{}</h3><div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>{body}</tbody></table></div>",
        Escaped(h),
        Escaped(column.text(l)),
        Escaped(O::Count.text(l))
    )
}

fn reason_name(code: &str) -> Msg {
    match code {
        "too_many" => Msg::ReasonTooMany,
        "not_relevant" => Msg::ReasonNotRelevant,
        "never_signed_up" => Msg::ReasonNeverSignedUp,
        _ => Msg::ReasonOther,
    }
}

fn rollup_html<S: Store, N: Net>(page: &Console<'_, S, N>, r: &Rollup) -> String {
    let l = page.locale;
    let t = |m: O| m.text(l);
    let mut out = String::new();
    if r.unsummarised > 0 {
        let n = r.unsummarised.to_string();
        out.push_str(&notice(&fill(O::Unsummarised, l, &[("n", &n)]), true));
    }
    out.push_str(&format!("<h2>{}</h2>", Escaped(t(O::Totals))));
    out.push_str(&table(
        l,
        t(O::ByStatus),
        O::What,
        "all",
        &[
            (t(O::Counted).into(), "subscribers".into(), r.subscribers),
            (t(O::WithdrawnAll).into(), "withdrawn".into(), r.withdrawn),
            (t(O::Erased).into(), "erased".into(), r.erased),
        ],
    ));
    for list in &page.ctx.config.lists {
        let Some(c) = r.lists.get(&list.id) else {
            continue;
        };
        out.push_str(&format!(
            "<section aria-labelledby=\"list-{id}\"><h2 id=\"list-{id}\">{}</h2>",
            Escaped(list.name.get(l)),
            id = Escaped(list.id.as_str())
        ));
        out.push_str(&list_html(page, r, list, c));
        out.push_str("</section>");
    }
    out
}

fn list_html<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    r: &Rollup,
    list: &doi_core::config::List,
    c: &ListCounts,
) -> String {
    let l = page.locale;
    let t = |m: O| m.text(l);
    let id = list.id.as_str();
    let n = &c.standing;
    let mut out = table(
        l,
        t(O::ByStatus),
        O::What,
        id,
        &[
            (t(O::Active).into(), "active".into(), n.active),
            (t(O::Pending).into(), "pending".into(), n.pending),
            (t(O::Paused).into(), "paused".into(), n.paused),
            (t(O::Stale).into(), "stale".into(), n.stale),
            (
                t(O::standing(Standing::Unsubscribed)).into(),
                "unsubscribed".into(),
                n.unsubscribed,
            ),
            (t(O::Suppressed).into(), "suppressed".into(), n.suppressed),
            (t(O::Erased).into(), "erased".into(), n.erased),
        ],
    );
    let named = |key: &str, name: &str, map: &std::collections::BTreeMap<String, u64>| {
        (
            name.to_string(),
            key.to_string(),
            map.get(key).copied().unwrap_or(0),
        )
    };
    if !list.topics.is_empty() {
        let rows: Vec<_> = list
            .topics
            .iter()
            .map(|tp| named(tp.id.as_str(), tp.name.get(l), &c.topics))
            .map(|(a, k, n)| (a, format!("topic.{k}"), n))
            .collect();
        out.push_str(&table(l, t(O::ByTopic), O::What, id, &rows));
    }
    let rows: Vec<_> = list
        .frequencies
        .iter()
        .map(|f| named(f.id.as_str(), f.name.get(l), &c.frequencies))
        .map(|(a, k, n)| (a, format!("frequency.{k}"), n))
        .collect();
    out.push_str(&table(l, t(O::ByFrequency), O::What, id, &rows));
    out.push_str(&format!(
        "<h3>{}</h3><p>{}</p>",
        Escaped(t(O::PerDay)),
        Escaped(t(O::ChartNote))
    ));
    for (days, heading) in [(30, O::Days30), (90, O::Days90)] {
        out.push_str(&format!("<h4>{}</h4>", Escaped(t(heading))));
        out.push_str(&chart::chart(l, r.started, &c.joined, &c.left, days));
    }
    let rows: Vec<_> = VIAS
        .iter()
        .map(|v| {
            let key = doi_core::console::rollup::via_name(*v);
            (
                t(O::via(*v)).to_string(),
                format!("via.{key}"),
                c.via.get(key).copied().unwrap_or(0),
            )
        })
        .collect();
    out.push_str(&table(l, t(O::HowLeft), O::Way, id, &rows));
    let rows: Vec<_> = doi_core::withdrawal::REASONS
        .iter()
        .map(|code| {
            let n = c.reasons.get(*code).copied().unwrap_or(0);
            (
                reason_name(code).text(l).to_string(),
                format!("reason.{code}"),
                n,
            )
        })
        .collect();
    out.push_str(&table(l, t(O::Reasons), O::What, id, &rows));
    let rows: Vec<_> = c
        .sources
        .iter()
        .map(|(src, n)| {
            let label = page
                .ctx
                .config
                .forms
                .iter()
                .find(|f| f.id.as_str() == src)
                .map(|f| format!("{} ({src})", f.title.get(l)))
                .or_else(|| O::method(src).map(|m| t(m).to_string()))
                .unwrap_or_else(|| src.clone());
            (label, format!("source.{src}"), *n)
        })
        .collect();
    out.push_str(&table(l, t(O::Sources), O::Form, id, &rows));
    out
}
