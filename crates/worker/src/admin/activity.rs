//! `GET /admin/activity?page=N`: the latest events across all subscribers,
//! newest first, 50 a page, without addresses — each row names the
//! subscriber by id and links to `GET /admin/subscriber/{id}`, which opens
//! that person's page (the id, never the address, is in the URL). The
//! events come from the overview's last pass (each subscriber's latest few,
//! kept in their summary): one KV read per page, no write per event.

use doi_core::html::Escaped;
use doi_core::SubscriberId;

use super::overview::texts::{fill, O};
use super::texts::C;
use super::view::{jst, notice, utc, Console};
use crate::ctx::Net;
use crate::hosted::{action, PageError};
use crate::http::{Request, Response};
use crate::store::Store;

/// Events a page shows.
pub const PAGE: usize = 50;

/// The path of the page.
pub const PATH: &str = "/admin/activity";

/// `GET /admin/activity`.
pub async fn page<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    req: &Request,
) -> Result<Response, PageError> {
    let l = page.locale;
    let t = |m: O| m.text(l);
    let stored = crate::overview::load(&page.ctx.store).await?;
    let entries = stored.done.as_ref().map_or(&[][..], |r| &r.activity[..]);
    let pages = entries.len().div_ceil(PAGE).max(1);
    let n = req
        .query_param("page")
        .and_then(|p| p.trim().parse::<usize>().ok())
        .filter(|p| (1..=pages).contains(p))
        .unwrap_or(1);
    let mut main = format!("<p>{}</p>", Escaped(t(O::ActivityHelp)));
    if let Some(r) = &stored.done {
        main.push_str(&format!(
            "<p>{}</p>",
            Escaped(&fill(
                O::AsOf,
                l,
                &[("jst", &jst(r.started)), ("utc", &utc(r.started))]
            ))
        ));
    }
    if entries.is_empty() {
        main.push_str(&notice(t(O::NoActivity), false));
        return Ok(page.page(200, PATH, page.t(C::ActivityTitle), &main));
    }
    let rows: String = entries
        .iter()
        .skip((n - 1) * PAGE)
        .take(PAGE)
        .map(|e| {
            let a = &e.activity;
            let sid = e.subscriber.to_string();
            let list = a.list.as_ref().map_or_else(|| t(O::Everything).to_string(), |l| l.to_string());
            let what = match a.via {
                Some(v) => format!("{} ({})", t(O::kind(a.kind)), t(O::via(v))),
                None => t(O::kind(a.kind)).to_string(),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td><a href=\"{}\"><code>{}</code></a></td><td>{}</td><td>{}</td></tr>",
                Escaped(&jst(a.at)),
                Escaped(&utc(a.at)),
                Escaped(&action(&format!("/admin/subscriber/{sid}"), l)),
                Escaped(&sid),
                Escaped(&list),
                Escaped(&what)
            )
        })
        .collect();
    main.push_str(&format!(
        "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
        Escaped(t(O::TimeJst)),
        Escaped(t(O::TimeUtc)),
        Escaped(t(O::Subscriber)),
        Escaped(t(O::List)),
        Escaped(t(O::Event)),
    ));
    let link = |to: usize, m: O| {
        format!(
            "<a href=\"{}&amp;page={to}\">{}</a> ",
            Escaped(&action(PATH, l)),
            Escaped(t(m))
        )
    };
    let mut pager = String::new();
    if n > 1 {
        pager.push_str(&link(n - 1, O::Newer));
    }
    pager.push_str(&format!(
        "<span>{}</span> ",
        Escaped(&fill(
            O::PageOf,
            l,
            &[("n", &n.to_string()), ("of", &pages.to_string())]
        ))
    ));
    if n < pages {
        pager.push_str(&link(n + 1, O::Older));
    }
    main.push_str(&format!(
        "<nav class=\"pager\" aria-label=\"{}\">{pager}</nav>",
        Escaped(t(O::Pages))
    ));
    Ok(page.page(200, PATH, page.t(C::ActivityTitle), &main))
}

/// `GET /admin/subscriber/{id}`: that person's page, found by id (their
/// snapshot holds the address); a 404 for an id nobody has.
pub async fn open<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    id: &str,
) -> Result<Response, PageError> {
    let Some(sid) = SubscriberId::parse(id) else {
        return Ok(page.not_found());
    };
    let Some(snapshot) = crate::subscribers::read_snapshot(&page.ctx.store, &sid).await? else {
        return Ok(page.not_found());
    };
    match snapshot.email {
        Some(email) => super::person::show(page, email).await,
        None => {
            let main = format!(
                "<dl><dt>{}</dt><dd><code>{}</code></dd></dl>{}<h2>{}</h2>{}",
                Escaped(page.t(C::SubscriberId)),
                Escaped(&sid.to_string()),
                notice(O::NoAddress.text(page.locale), false),
                Escaped(page.t(C::CurrentState)),
                super::person::state_table(page, &snapshot.state)
            );
            Ok(page.page(200, "/admin/person", page.t(C::Person), &main))
        }
    }
}
