//! Acting on many: a CSV of addresses to suppress (at most
//! [`doi_core::limits::CHANGE_BATCH`] per upload, the bound of
//! `POST /v1/suppressions`, said on the page), and the export as NDJSON
//! files of [`doi_core::limits::EXPORT_PAGE_MAX`] subscribers each.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use doi_core::console::csv::{addresses, CsvError};
use doi_core::html::Escaped;
use doi_core::limits::{CHANGE_BATCH, EXPORT_PAGE_MAX};

use super::texts::{fill, C};
use super::view::{notice, Console};
use crate::ctx::{Ctx, Net};
use crate::formdata::{multipart_file, Fields};
use crate::hosted::{action, PageError};
use crate::http::{Request, Response};
use crate::keys;
use crate::store::Store;

/// The upload form, with the outcome of the last upload above it.
pub fn upload_page<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    outcome: Option<(u16, String)>,
) -> Response {
    let t = |m: C| page.t(m);
    let max = CHANGE_BATCH.to_string();
    let options: String = [
        ("manual", C::ReasonManual),
        ("bounce", C::ReasonBounce),
        ("complaint", C::ReasonComplaint),
    ]
    .iter()
    .map(|(v, m)| format!("<option value=\"{v}\">{}</option>", Escaped(t(*m))))
    .collect();
    let (status, before) = outcome.unwrap_or((200, String::new()));
    let main = format!(
        "{before}<p>{}</p>{}",
        Escaped(&fill(C::UploadHelp, page.locale, &[("max", &max)])),
        page.form(
            "/admin/suppress-list",
            " enctype=\"multipart/form-data\"",
            &format!(
                "<label for=\"file\">{}</label><input id=\"file\" name=\"file\" type=\"file\" accept=\".csv,.txt,text/csv,text/plain\" required>\
<label for=\"reason\">{}</label><select id=\"reason\" name=\"reason\">{options}</select>\
<button class=\"primary\" type=\"submit\">{}</button>",
                Escaped(t(C::File)),
                Escaped(t(C::Reason)),
                Escaped(t(C::Upload)),
            )
        )
    );
    page.page(status, "/admin/suppress-list", t(C::UploadTitle), &main)
}

/// `POST /admin/suppress-list`: reads the CSV and suppresses through the
/// same code as `POST /v1/suppressions`.
pub async fn upload<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    req: &Request,
    fields: &Fields,
) -> Result<Response, PageError> {
    let t = |m: C| page.t(m);
    let max = CHANGE_BATCH.to_string();
    #[allow(
        clippy::disallowed_methods,
        reason = "no file part is an empty file, refused below as such"
    )]
    let text = multipart_file(req, "file").unwrap_or_default();
    let rows = match addresses(&text) {
        Ok(rows) => rows,
        Err(CsvError::Empty) => {
            return Ok(upload_page(
                page,
                Some((422, notice(t(C::EmptyFile), true))),
            ))
        }
        Err(CsvError::TooMany(n)) => {
            let n = n.to_string();
            let why = fill(C::TooMany, page.locale, &[("n", &n), ("max", &max)]);
            return Ok(upload_page(page, Some((422, notice(&why, true)))));
        }
    };
    let reason = fields.get("reason").unwrap_or_else(|| "manual".into());
    let reason = if ["manual", "bounce", "complaint"].contains(&reason.as_str()) {
        reason
    } else {
        "manual".into()
    };
    let emails: Vec<String> = rows.iter().map(|r| r.address.clone()).collect();
    let (done, skipped) = crate::api::suppressions::suppress(page.ctx, &emails, &reason).await?;
    let n = done.to_string();
    let mut before = notice(&fill(C::UploadDone, page.locale, &[("n", &n)]), false);
    if doi_core::console::csv::mis_encoded(&text) {
        before.push_str(&notice(t(C::NotUtf8), true));
    }
    if !skipped.is_empty() {
        let lines: String = skipped
            .iter()
            .filter_map(|s| {
                let row = rows.get(s.index)?;
                let why = if s.code == "retry_later" {
                    C::RetryRow
                } else {
                    C::InvalidRow
                };
                Some(format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    row.line,
                    Escaped(&row.address),
                    Escaped(t(why))
                ))
            })
            .collect();
        before.push_str(&format!(
            "<h2>{}</h2><div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>{lines}</tbody></table></div>",
            Escaped(t(C::Skipped)),
            Escaped(t(C::Line)),
            Escaped(t(C::Address)),
            Escaped(t(C::Details)),
        ));
    }
    Ok(upload_page(page, Some((200, before))))
}

/// The cursor of `?cursor=` as the export takes it (opaque base64url).
fn cursor(req: &Request) -> Option<String> {
    req.query_param("cursor")
        .filter(|c| !c.is_empty() && c.len() <= 1024)
}

/// `GET /admin/export`: a link to this page's file and to the next page
/// (one KV listing of keys, to know whether there is one).
pub async fn export_page<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    req: &Request,
) -> Result<Response, PageError> {
    let t = |m: C| page.t(m);
    let given = cursor(req);
    let raw = match &given {
        None => None,
        Some(c) => Some(
            URL_SAFE_NO_PAD
                .decode(c.as_bytes())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or(PageError::NotFound)?,
        ),
    };
    let listed = page
        .ctx
        .store
        .list(keys::SNAPSHOTS, raw.as_deref(), EXPORT_PAGE_MAX)
        .await?;
    let max = EXPORT_PAGE_MAX.to_string();
    let mut main = format!(
        "<p>{}</p>",
        Escaped(&fill(C::ExportHelp, page.locale, &[("max", &max)]))
    );
    if listed.keys.is_empty() {
        main.push_str(&notice(t(C::NothingYet), false));
    } else {
        let q = given
            .as_ref()
            .map_or(String::new(), |c| format!("&cursor={c}"));
        main.push_str(&format!(
            "<p><a href=\"{}{}&limit={max}\" download>{} ({})</a></p>",
            Escaped(&action("/admin/export/download", page.locale)),
            Escaped(&q),
            Escaped(t(C::Download)),
            listed.keys.len()
        ));
    }
    if let Some(next) = listed.cursor {
        main.push_str(&format!(
            "<p><a href=\"{}&cursor={}\">{}</a></p>",
            Escaped(&action("/admin/export", page.locale)),
            URL_SAFE_NO_PAD.encode(next),
            Escaped(t(C::Next))
        ));
    }
    Ok(page.page(200, "/admin/export", t(C::ExportTitle), &main))
}

/// `GET /admin/export/download`: the export page as a file.
pub async fn download<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    req: &Request,
) -> Result<Response, PageError> {
    let r = crate::api::export::page(ctx, req).await?;
    Ok(r.with_header(
        "content-disposition",
        "attachment; filename=\"doi-export.ndjson\"",
    ))
}
