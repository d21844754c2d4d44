//! The hosted signup page (`/f/{form}`), for sites without the widget and
//! for the widget's `<noscript>` fallback. The consent box is never ticked
//! in advance; its label is the exact consent text whose version is posted.

use doi_core::config::Form;
use doi_core::html::Escaped;
use doi_core::text::Msg;
use doi_core::TopicId;

use crate::pages::{hidden, Shell};

/// The form, fresh or shown again with a problem.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    /// Sender and language.
    pub shell: Shell<'a>,
    /// The form.
    pub form: &'a Form,
    /// Where it posts (`/f/{form}?lang=…`).
    pub action: &'a str,
    /// The record id (made when the page was rendered; a resubmission reuses it).
    pub record_id: &'a str,
    /// When the page was rendered (ms), for the minimum fill time.
    pub rendered_at: u64,
    /// The address typed so far.
    pub email: &'a str,
    /// Topics chosen so far (all, on a fresh page).
    pub chosen: &'a [TopicId],
    /// What to fix, if anything.
    pub problem: Option<&'a str>,
    /// Turnstile's client script, for a form that uses Turnstile.
    pub turnstile_script: Option<&'a str>,
}

/// Renders the signup form.
pub fn render(m: &Model<'_>) -> String {
    let shell = &m.shell;
    let l = shell.locale;
    let f = m.form;
    let mut main = String::new();
    if let Some(p) = m.problem {
        main.push_str(&format!(
            "<p class=\"problem\" role=\"alert\" id=\"problem\">{}</p>",
            Escaped(p)
        ));
    }
    main.push_str(&format!(
        "<form method=\"post\" action=\"{}\">",
        Escaped(m.action)
    ));
    main.push_str(&hidden("locale", l.tag()));
    main.push_str(&hidden(
        "consent_version",
        &f.consent_version(l).to_string(),
    ));
    main.push_str(&hidden("record_id", m.record_id));
    main.push_str(&hidden("rendered_at", &m.rendered_at.to_string()));
    let described = if m.problem.is_some() {
        " aria-describedby=\"problem\""
    } else {
        ""
    };
    main.push_str(&format!(
        "<label for=\"email\">{} <span>({})</span></label>\
<input type=\"email\" id=\"email\" name=\"email\" required autocomplete=\"email\" value=\"{}\"{described}>",
        Escaped(shell.t(Msg::EmailLabel)),
        Escaped(shell.t(Msg::Required)),
        Escaped(m.email),
    ));
    let topics = shell.config.offered_topics(f);
    // A choice only where there is one, as the widget and core decide.
    let ids: Vec<doi_core::TopicId> = topics.iter().map(|t| t.id.clone()).collect();
    if doi_core::consent::shows_topic_choice(&ids) {
        main.push_str(&format!(
            "<fieldset><legend>{}</legend>",
            Escaped(shell.t(Msg::TopicsLegend))
        ));
        for t in topics {
            main.push_str(&format!(
                "<label><input type=\"checkbox\" name=\"topics\" value=\"{}\"{}>{}</label>",
                Escaped(t.id.as_str()),
                if m.chosen.contains(&t.id) {
                    " checked"
                } else {
                    ""
                },
                Escaped(t.name.get(l)),
            ));
        }
        main.push_str("</fieldset>");
    }
    // The honeypot: off-screen, skipped by keyboard and autofill.
    main.push_str(&format!(
        "<div class=\"hp\" aria-hidden=\"true\"><label for=\"website\">{}</label>\
<input type=\"text\" id=\"website\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\"></div>",
        Escaped(shell.t(Msg::HoneypotLabel))
    ));
    main.push_str(&format!(
        "<p class=\"consent\"><label><input type=\"checkbox\" name=\"consent\" value=\"yes\" required>{}</label></p>",
        Escaped(f.consent.get(l))
    ));
    if let (Some(t), Some(script)) = (&f.turnstile, m.turnstile_script) {
        // Turnstile's script fills in `cf-turnstile-response` (it needs
        // script: without it this form cannot pass the bot check).
        main.push_str(&format!(
            "<div class=\"cf-turnstile\" data-sitekey=\"{}\" data-language=\"{}\"></div>\
<script src=\"{}\" async defer></script>",
            Escaped(&t.site_key),
            l.tag(),
            Escaped(script),
        ));
    }
    main.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p><button type=\"submit\" class=\"primary\">{}</button></form>",
        Escaped(&f.privacy_url),
        Escaped(shell.t(Msg::PrivacyPolicy)),
        Escaped(shell.t(Msg::Subscribe)),
    ));
    shell.page(f.title.get(l), &main)
}

/// The `Content-Security-Policy` of a signup page whose form uses
/// Turnstile: every page's, plus Turnstile's script and frame from
/// `origin` (Cloudflare's, or the test stand-in's).
pub fn turnstile_csp(origin: &str) -> String {
    crate::pages::content_security_policy().replacen(
        "default-src 'none';",
        &format!("default-src 'none'; script-src {origin}; frame-src {origin};"),
        1,
    )
}

/// After a successful submission: the same words whatever was stored before.
pub fn done(shell: &Shell<'_>, form: &Form) -> String {
    let msg = if form.double_opt_in {
        Msg::CheckInbox
    } else {
        Msg::Subscribed
    };
    shell.message_with_title(form.title.get(shell.locale), shell.t(msg))
}
