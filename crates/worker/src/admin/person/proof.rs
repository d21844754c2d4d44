//! The printable proof of consent: who (address and subscriber id), when
//! (JST and UTC), how (widget, hosted page, import with its provenance,
//! the confirmation), on which page, the exact consent text and form as
//! shown, the topics, and whether the log verifies — all from the stored
//! events, never from the snapshot.

use std::collections::BTreeMap;

use doi_core::html::Escaped;
use doi_core::{ConsentVersion, EventKind, Method, OptIn};

use super::super::texts::C;
use super::super::view::{jst, notice, utc, Console};
use super::{state_table, Found};
use crate::ctx::Net;
use crate::store::Store;
use crate::texts::StoredText;

fn method<S: Store, N: Net>(page: &Console<'_, S, N>, m: &Method) -> &'static str {
    page.t(match m {
        Method::Widget => C::ViaWidget,
        Method::WidgetAttach => C::ViaWidgetAttach,
        Method::HostedPage => C::ViaHosted,
        Method::PreferencePage => C::ViaHosted,
        Method::Import => C::ViaImport,
        Method::Api => C::ViaApi,
        Method::RenewalPage => C::ViaRenewal,
    })
}

/// The proof's content.
pub fn html<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    f: &Found,
    texts: &BTreeMap<ConsentVersion, StoredText>,
) -> String {
    let t = |m: C| page.t(m);
    let shown = f.stored_email.as_ref().unwrap_or(&f.email);
    let mut out = format!(
        "<p>{}</p><p>{}</p><h2>{}</h2><dl><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd><code>{}</code></dd></dl>{}",
        Escaped(t(C::ProofIntro)),
        Escaped(t(C::PrintHint)),
        Escaped(t(C::Who)),
        Escaped(t(C::Address)),
        Escaped(shown.as_str()),
        Escaped(t(C::SubscriberId)),
        Escaped(&f.sid.to_string()),
        notice(t(if f.verified { C::LogVerifies } else { C::LogBroken }), !f.verified),
    );
    out.push_str(&format!("<h2>{}</h2>", Escaped(t(C::Consents))));
    for (e, _) in &f.log {
        let (list, topics, double, evidence) = match &e.event.kind {
            EventKind::Subscribed {
                list,
                topics,
                double_opt_in,
                evidence,
                ..
            }
            | EventKind::Resubscribed {
                list,
                topics,
                double_opt_in,
                evidence,
                ..
            } => (list, topics, *double_opt_in, evidence),
            _ => continue,
        };
        let confirmation = f.log.iter().find(|(c, _)| {
            c.event.at >= e.event.at
                && matches!(&c.event.kind, EventKind::Confirmed { list: l, .. } if l == list)
        });
        let mut how = method(page, &evidence.method).to_string();
        if let Some(src) = &evidence.source {
            how.push_str(&format!(" · {src}"));
        }
        if let Some(o) = evidence.opt_in {
            how.push_str(match o {
                OptIn::Single => " · single opt-in",
                OptIn::Confirmed => " · confirmed opt-in",
                OptIn::ImportedAttested => " · attested",
            });
        }
        let confirmed = match (double, confirmation) {
            (true, Some((c, _))) => format!(
                "{} ({} / {})",
                t(C::Confirmed),
                jst(c.event.at),
                utc(c.event.at)
            ),
            (true, None) => t(C::NotConfirmed).to_string(),
            (false, _) => String::new(),
        };
        let text = texts.get(&evidence.consent_version);
        let topics: Vec<&str> = topics.iter().map(|t| t.as_str()).collect();
        out.push_str(&format!(
            "<h3>{list}</h3><dl><dt>{}</dt><dd>{} / {}</dd><dt>{}</dt><dd>{}{}</dd><dt>{}</dt><dd>{}</dd>\
<dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd><code>{}</code></dd></dl>\
<p><strong>{}</strong></p><blockquote lang=\"{}\">{}</blockquote>",
            Escaped(t(C::When)),
            Escaped(&jst(e.event.at)),
            Escaped(&utc(e.event.at)),
            Escaped(t(C::How)),
            Escaped(&how),
            if confirmed.is_empty() { String::new() } else { format!("<br>{}", Escaped(&confirmed)) },
            Escaped(t(C::Where)),
            Escaped(evidence.page_url.as_deref().unwrap_or("—")),
            Escaped(t(C::Form)),
            Escaped(evidence.form.as_ref().map_or("—", |f| f.as_str())),
            Escaped(t(C::Topics)),
            Escaped(&topics.join(", ")),
            Escaped(t(C::TextVersion)),
            Escaped(&evidence.consent_version.to_string()),
            Escaped(t(C::TextShown)),
            evidence.locale.tag(),
            Escaped(text.map_or(t(C::TextMissing), |s| s.text.as_str())),
            list = Escaped(list.as_str()),
        ));
    }
    out.push_str(&format!("<h2>{}</h2>", Escaped(t(C::CurrentState))));
    out.push_str(&state_table(page, &f.state));
    out.push_str(&format!(
        "<p>{}: {} / {}</p>",
        Escaped(t(C::Generated)),
        Escaped(&jst(page.ctx.now)),
        Escaped(&utc(page.ctx.now))
    ));
    out
}
