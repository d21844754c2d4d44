//! The tables of the person and proof pages: the state per list (with
//! what `/v1/check` answers) and every event, newest first.

use doi_core::html::Escaped;
use doi_core::{EventKind, LoggedEvent, SendRequest, Status, SubscriberState};

use super::super::texts::C;
use super::super::view::{jst, utc, Console};
use crate::ctx::Net;
use crate::store::Store;

/// The state per list, with what `/v1/check` would answer for the list.
pub fn state_table<S: Store, N: Net>(page: &Console<'_, S, N>, state: &SubscriberState) -> String {
    let t = |m: C| page.t(m);
    let mut rows = String::new();
    for (list, ls) in &state.lists {
        let ask = SendRequest {
            list: list.clone(),
            topic: None,
            frequency: None,
        };
        let decision = doi_core::may_send(state, &ask, page.ctx.now);
        let status = match (&ls.status, ls.paused_until) {
            (_, _) if state.erased => "erased",
            (_, _) if state.suppressed.is_some() => "suppressed",
            (Status::Active, Some(p)) if p > page.ctx.now => "paused",
            (Status::Active, _) => "active",
            (Status::Pending, _) => "pending",
            (Status::Unsubscribed, _) => "unsubscribed",
        };
        let topics: Vec<&str> = ls.topics.iter().map(|t| t.as_str()).collect();
        let reason = shown(&decision.reason)
            .get("code")
            .and_then(|c| c.as_str())
            .map_or(String::new(), str::to_string);
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td></tr>",
            Escaped(list.as_str()),
            Escaped(status),
            Escaped(&topics.join(", ")),
            Escaped(ls.frequency.as_ref().map_or("", |f| f.as_str())),
            Escaped(t(if decision.allowed { C::Yes } else { C::No })),
            Escaped(&reason),
        ));
    }
    format!(
        "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
<th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
        Escaped(t(C::List)),
        Escaped(t(C::Status)),
        Escaped(t(C::Topics)),
        Escaped(t(C::Frequency)),
        Escaped(t(C::MaySend)),
    )
}

/// A value as JSON, for display only: our own plain types always
/// serialise, and one that did not would show as nothing.
fn shown<T: serde::Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// A one-line summary of an event: its type and what it says.
pub fn summary(kind: &EventKind) -> (String, String) {
    let json = shown(kind);
    let name = json
        .get("type")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let detail = match kind {
        EventKind::Subscribed {
            list,
            topics,
            evidence,
            ..
        }
        | EventKind::Resubscribed {
            list,
            topics,
            evidence,
            ..
        } => {
            let topics: Vec<&str> = topics.iter().map(|t| t.as_str()).collect();
            let method = shown(&evidence.method);
            format!(
                "{list} [{}] · {} · {}",
                topics.join(", "),
                method.as_str().unwrap_or(""),
                evidence.form.as_ref().map_or("", |f| f.as_str())
            )
        }
        EventKind::Unsubscribed { scope, via, reason } => {
            let scope = shown(scope);
            let via = shown(via);
            let what = match (
                scope.get("list"),
                scope.get("topic"),
                scope.get("frequency"),
            ) {
                (Some(l), Some(t), _) => {
                    format!("{}/{}", l.as_str().unwrap_or(""), t.as_str().unwrap_or(""))
                }
                (Some(l), None, Some(f)) => {
                    format!("{} ~{}", l.as_str().unwrap_or(""), f.as_str().unwrap_or(""))
                }
                (Some(l), None, None) => l.as_str().unwrap_or("").to_string(),
                _ => "*".to_string(),
            };
            format!(
                "{what} · {}{}",
                via.as_str().unwrap_or(""),
                reason.as_ref().map_or(String::new(), |r| format!(" · {r}"))
            )
        }
        EventKind::Confirmed { list, .. } => list.to_string(),
        EventKind::Renewed { list, evidence } => {
            let method = shown(&evidence.method);
            format!("{list} · {}", method.as_str().unwrap_or(""))
        }
        EventKind::PreferencesChanged {
            list,
            topics,
            frequency,
            ..
        } => {
            let topics: Vec<&str> = topics.iter().map(|t| t.as_str()).collect();
            format!(
                "{list} [{}] {}",
                topics.join(", "),
                frequency.as_ref().map_or("", |f| f.as_str())
            )
        }
        EventKind::ReasonGiven { reason } => reason.clone(),
        EventKind::Erased => String::new(),
    };
    (name, detail)
}

pub fn events_table<S: Store, N: Net>(
    page: &Console<'_, S, N>,
    log: &[(LoggedEvent, String)],
) -> String {
    let t = |m: C| page.t(m);
    let rows: String = log
        .iter()
        .rev()
        .map(|(e, _)| {
            let (name, detail) = summary(&e.event.kind);
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                Escaped(&jst(e.event.at)),
                Escaped(&utc(e.event.at)),
                Escaped(&name),
                Escaped(&detail)
            )
        })
        .collect();
    format!(
        "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
<th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
        Escaped(t(C::TimeJst)),
        Escaped(t(C::TimeUtc)),
        Escaped(t(C::Event)),
        Escaped(t(C::Details)),
    )
}
