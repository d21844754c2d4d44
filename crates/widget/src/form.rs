//! Form mode: a whole signup form in a shadow root where the script tag or
//! the `data-doi-form` placeholder stands.
//!
//! Submitting checks the answers first (an unticked box or an invalid
//! address sends nothing and says so beside the field), waits out the form's
//! minimum fill time if a fast hand (or autofill) beat it, sends one consent
//! record, and replaces the fields with the outcome.

use std::cell::Cell;
use std::rc::Rc;

use doi_core::form::FormDefinition;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

use crate::api::{sleep, Api};
use crate::dom::{append, element, flag, input, text_element, Listener, OrThrow};
use crate::fields::{self, Fields};
use crate::place::{is_script, now, Place};
use crate::record::{new_record_id, problems};
use crate::session::Session;
use crate::text;
use crate::{shadow_host, style, Widget};

/// The parts of a rendered form the submit handler needs.
struct View {
    fields: Fields,
    email: HtmlInputElement,
    email_message: Element,
    /// Everything but the heading and the status line, hidden after success.
    body: Element,
    button: Element,
}

/// Renders `definition` as a form at `place`.
pub fn render(place: &Place, definition: FormDefinition, api: Api) -> Widget {
    let locale = place.locale(definition.default_locale);
    let (host, root) = shadow_host("doi-form");
    style::apply(&root);

    let form = element(
        "form",
        &[
            ("class", "doi"),
            ("lang", locale.tag()),
            ("novalidate", ""),
            ("aria-labelledby", "doi-title"),
        ],
    );
    let title = text_element("h2", &[("id", "doi-title")], definition.title.get(locale));
    let email_label = text_element(
        "label",
        &[("for", "doi-email")],
        &format!(
            "{} ({})",
            text::EMAIL_LABEL.get(locale),
            text::REQUIRED.get(locale)
        ),
    );
    let email = input(&[
        ("type", "email"),
        ("id", "doi-email"),
        ("name", "email"),
        ("autocomplete", "email"),
        ("inputmode", "email"),
        ("spellcheck", "false"),
        ("aria-required", "true"),
        ("aria-describedby", "doi-email-msg"),
    ]);
    let email_message = fields::message("doi-email-msg");
    let built = fields::build(&definition, locale);
    let button = text_element("button", &[("type", "submit")], text::SUBSCRIBE.get(locale));
    let body = element("div", &[]);
    append(&body, &[&email_label, &email, &email_message]);
    if let Some(topics) = &built.topics {
        append(&body, &[topics]);
    }
    append(
        &body,
        &[&built.consent, &built.privacy, &built.honeypot, &button],
    );
    append(&form, &[&title, &body, &built.fields.status]);
    append(&root, &[&form]);

    if is_script(&place.element) {
        place.element.before_with_node_1(&host).or_throw();
    } else {
        append(&place.element, &[&host]);
    }

    let session = Rc::new(Session {
        api,
        definition,
        locale,
        host: host.clone(),
        rendered_at: now(),
        busy: Cell::new(false),
    });
    let view = Rc::new(View {
        fields: built.fields,
        email,
        email_message,
        body,
        button,
    });
    let submit = Listener::new(&form, "submit", false, move |event| {
        // The widget's own form never navigates.
        event.prevent_default();
        on_submit(&view, &session);
    });
    Widget::new(host, vec![submit])
}

/// Checks the answers now; sends them from a future if they are complete.
fn on_submit(view: &Rc<View>, session: &Rc<Session>) {
    if session.busy.get() {
        return;
    }
    let answers = view.fields.answers(view.email.value());
    view.fields.status("", "");
    let email = (&view.email_message, Some(&view.email));
    if view
        .fields
        .show_problems(&problems(&answers), session.locale, email, true)
    {
        return;
    }
    let Some(record_id) = new_record_id() else {
        view.fields
            .status(session.text(text::NETWORK_FAILED), "error");
        return;
    };
    session.busy.set(true);
    flag(&view.button, "aria-disabled", true);
    view.fields.status(session.text(text::SENDING), "");
    let (view, session) = (view.clone(), session.clone());
    wasm_bindgen_futures::spawn_local(async move {
        // Humans are rarely faster than min_fill_ms; if one was, wait
        // rather than have the Worker take them for a bot.
        let early = session
            .definition
            .min_fill_ms
            .saturating_sub(session.elapsed_ms());
        if early > 0 {
            sleep(i32::try_from(early).unwrap_or(i32::MAX)).await;
        }
        let sent = session.send(&view.fields, &answers, record_id, false).await;
        if sent.is_some() {
            flag(&view.body, "hidden", true);
            // Focus follows the content: the fields are gone, the outcome stays.
            let _ = view.fields.status.unchecked_ref::<HtmlElement>().focus();
        }
        flag(&view.button, "aria-disabled", false);
        session.busy.set(false);
    });
}
