//! The preference page (`/p/{token}`): what is true now, topics, frequency
//! and pause; stop everything (with an optional reason); start again.

use doi_core::html::Escaped;
use doi_core::text::Msg;
use doi_core::{ListId, Status, SubscriberState, Timestamp};

use crate::pages::{hidden, standing, Shell};

/// The reasons a person may give for leaving, with their labels.
pub const REASONS: [(&str, Msg); 4] = [
    ("too_many", Msg::ReasonTooMany),
    ("not_relevant", Msg::ReasonNotRelevant),
    ("never_signed_up", Msg::ReasonNeverSignedUp),
    ("other", Msg::ReasonOther),
];

/// The pauses offered, in days (0: none).
pub const PAUSES: [(u32, Msg); 3] = [(0, Msg::PauseNone), (30, Msg::Pause30), (90, Msg::Pause90)];

/// What just happened, to say so at the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Preferences saved.
    Saved,
    /// Unsubscribed from everything.
    UnsubscribedAll,
    /// Subscribed again.
    Resubscribed,
    /// A reason was recorded.
    ReasonThanks,
}

/// The preference page.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    /// Sender and language.
    pub shell: Shell<'a>,
    /// The list of the link.
    pub list: &'a ListId,
    /// The subscriber's state.
    pub state: &'a SubscriberState,
    /// Now (for pauses).
    pub now: Timestamp,
    /// Where the forms post (`/p/{token}?lang=…`).
    pub action: &'a str,
    /// What just happened.
    pub done: Option<Done>,
}

/// Renders the page.
pub fn render(m: &Model<'_>) -> String {
    let shell = &m.shell;
    let mut main = String::new();
    if let Some(done) = m.done {
        let text = match done {
            Done::Saved => shell.t(Msg::PreferencesSaved).to_string(),
            Done::UnsubscribedAll => shell.with_sender(Msg::UnsubscribedAll),
            Done::Resubscribed => shell.t(Msg::Resubscribed).to_string(),
            Done::ReasonThanks => shell.t(Msg::ReasonThanks).to_string(),
        };
        main.push_str(&format!(
            "<p class=\"notice\" role=\"status\">{}</p>",
            Escaped(&text)
        ));
    }
    main.push_str(&standing::render(shell, m.list, m.state, m.now));
    let status = m.state.list(m.list).map(|l| l.status);
    if matches!(status, Some(Status::Active | Status::Pending)) {
        // As on the unsubscribe page: stopping everything comes first, is
        // the largest button, and takes one press (a reason is asked after).
        main.push_str(&format!(
            "<form method=\"post\" action=\"{}\">{}<button type=\"submit\" class=\"primary\">{}</button></form><p>{}</p>",
            Escaped(m.action),
            hidden("action", "unsubscribe_all"),
            Escaped(&shell.with_sender(Msg::UnsubscribeAll)),
            Escaped(shell.t(Msg::UnsubscribeLead)),
        ));
        main.push_str(&format!("<h2>{}</h2>", Escaped(shell.t(Msg::OrChoose))));
        main.push_str(&choices(shell, m.list, m.state, m.action));
        // A stopped topic comes back only with fresh consent.
        let stopped = shell.config.list(m.list).is_some_and(|c| {
            c.topics
                .iter()
                .any(|t| m.state.topic_stopped(m.list, &t.id))
        });
        if stopped {
            main.push_str(&resubscribe(shell, m.list, m.action));
        }
    } else {
        if m.done == Some(Done::UnsubscribedAll) {
            main.push_str(&format!("<h2>{}</h2>", Escaped(shell.t(Msg::ReasonLegend))));
            main.push_str(&reason_form(shell, m.action));
        }
        main.push_str(&resubscribe(shell, m.list, m.action));
    }
    // The signed consent record: the same token's `/r/` page.
    if let Some(rest) = m.action.strip_prefix("/p/") {
        main.push_str(&format!(
            "<p><a href=\"/r/{}\">{}</a></p>",
            Escaped(rest),
            Escaped(shell.t(Msg::ReceiptLink))
        ));
    }
    shell.page(shell.t(Msg::PreferencesTitle), &main)
}

/// Topics, frequency and pause, posting `action=save` to `action`.
pub fn choices(shell: &Shell<'_>, list: &ListId, state: &SubscriberState, action: &str) -> String {
    let l = shell.locale;
    let Some(config_list) = shell.config.list(list) else {
        return String::new();
    };
    let entry = state.list(list);
    let mut out = format!("<form method=\"post\" action=\"{}\">", Escaped(action));
    out.push_str(&hidden("action", "save"));
    if !config_list.topics.is_empty() {
        out.push_str(&format!(
            "<fieldset><legend>{}</legend>",
            Escaped(shell.t(Msg::TopicsLegend))
        ));
        for t in &config_list.topics {
            if state.topic_stopped(list, &t.id) {
                // Not a choice here: a save never lifts a withdrawal.
                out.push_str(&format!(
                    "<label><input type=\"checkbox\" disabled>{} {}</label>",
                    Escaped(t.name.get(l)),
                    Escaped(shell.t(Msg::TopicStopped)),
                ));
                continue;
            }
            let checked = entry.is_some_and(|e| e.topics.contains(&t.id));
            out.push_str(&format!(
                "<label><input type=\"checkbox\" name=\"topics\" value=\"{}\"{}>{}</label>",
                Escaped(t.id.as_str()),
                if checked { " checked" } else { "" },
                Escaped(t.name.get(l)),
            ));
        }
        out.push_str("</fieldset>");
    }
    let chosen = entry
        .and_then(|e| e.frequency.clone())
        .unwrap_or_else(|| config_list.default_frequency.clone());
    out.push_str(&format!(
        "<fieldset><legend>{}</legend>",
        Escaped(shell.t(Msg::FrequencyLegend))
    ));
    for f in &config_list.frequencies {
        out.push_str(&format!(
            "<label><input type=\"radio\" name=\"frequency\" value=\"{}\"{}>{}</label>",
            Escaped(f.id.as_str()),
            if f.id == chosen { " checked" } else { "" },
            Escaped(f.name.get(l)),
        ));
    }
    out.push_str("</fieldset>");
    out.push_str(&format!(
        "<fieldset><legend>{}</legend>",
        Escaped(shell.t(Msg::PauseLegend))
    ));
    for (days, msg) in PAUSES {
        out.push_str(&format!(
            "<label><input type=\"radio\" name=\"pause\" value=\"{days}\"{}>{}</label>",
            if days == 0 { " checked" } else { "" },
            Escaped(shell.t(msg)),
        ));
    }
    out.push_str(&format!(
        "</fieldset><button type=\"submit\">{}</button></form>",
        Escaped(shell.t(Msg::SavePreferences))
    ));
    out
}

/// The optional reason radios.
fn reasons(shell: &Shell<'_>) -> String {
    let mut out = format!(
        "<fieldset><legend>{}</legend>",
        Escaped(shell.t(Msg::ReasonLegend))
    );
    for (value, msg) in REASONS {
        out.push_str(&format!(
            "<label><input type=\"radio\" name=\"reason\" value=\"{value}\">{}</label>",
            Escaped(shell.t(msg))
        ));
    }
    out.push_str("</fieldset>");
    out
}

/// "Tell us why", after leaving: posts `action=reason`.
pub fn reason_form(shell: &Shell<'_>, action: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{}\">{}{}<button type=\"submit\">{}</button></form>",
        Escaped(action),
        hidden("action", "reason"),
        reasons(shell),
        Escaped(shell.t(Msg::SendReason)),
    )
}

/// "Start receiving email again", with the consent text it records.
fn resubscribe(shell: &Shell<'_>, list: &ListId, action: &str) -> String {
    let Some(form) = shell.config.primary_form(list) else {
        return String::new();
    };
    format!(
        "<h2>{title}</h2><p>{intro}</p><p class=\"consent\">{text}</p>\
<form method=\"post\" action=\"{action}\">{h}<button type=\"submit\">{title}</button></form>",
        title = Escaped(&shell.with_sender(Msg::Resubscribe)),
        intro = Escaped(shell.t(Msg::ResubscribeConsent)),
        text = Escaped(form.consent.get(shell.locale)),
        action = Escaped(action),
        h = hidden("action", "resubscribe")
            + &hidden(
                "consent_version",
                &form.consent_version(shell.locale).to_string()
            ),
    )
}
