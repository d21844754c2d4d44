//! Attach mode: the consent box (and topics) added to a form the site
//! already has, such as a whitepaper download or a seminar registration.
//!
//! The host form stays the host's: the widget never cancels its submission,
//! never adds a field to what it submits (the box lives in a shadow root, so
//! it is not one of the form's controls) and never changes its fields. On
//! submit, an unticked box means nothing happens at all; a ticked box with a
//! valid address sends the consent record with `keepalive`, so it arrives
//! even when the host form navigates away at once.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use doi_core::form::FormDefinition;
use doi_core::{Email, TopicId};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlFormElement, HtmlInputElement};

use crate::api::Api;
use crate::dom::{append, document, element, Listener, OrThrow};
use crate::fields::{self, Fields};
use crate::place::{now, Place};
use crate::record::{new_record_id, parse_email, problems};
use crate::session::Session;
use crate::{shadow_host, style, MountError, Widget};

/// Where the email is read when no `data-email-field` says otherwise.
const EMAIL_FIELDS: &str = "input[type=email], input[name*=email i], input[id*=email i]";

/// Where the box goes when the form has no `[data-doi-consent]` slot: just
/// before the first submit button.
const SUBMIT_BUTTONS: &str = "button[type=submit], input[type=submit], button:not([type])";

/// The attach-mode parts the submit handler needs.
struct View {
    fields: Fields,
    email: HtmlInputElement,
    email_message: Element,
    /// Address and topics of the last record the Worker accepted, so a host
    /// form submitted twice does not record the same consent twice.
    sent: RefCell<Option<(Email, Vec<TopicId>)>>,
}

/// The host form `target` selects (or the form around what it selects),
/// and its email field.
pub fn target(
    target: &str,
    email_field: Option<&str>,
) -> Result<(HtmlFormElement, HtmlInputElement), MountError> {
    let missing = || MountError::AttachTargetMissing(target.to_string());
    let found = document()
        .query_selector(target)
        .ok()
        .flatten()
        .ok_or_else(missing)?;
    let form: HtmlFormElement = match found.dyn_into::<HtmlFormElement>() {
        Ok(form) => form,
        Err(other) => other
            .closest("form")
            .ok()
            .flatten()
            .and_then(|form| form.dyn_into().ok())
            .ok_or_else(missing)?,
    };
    let email = form
        .query_selector(email_field.unwrap_or(EMAIL_FIELDS))
        .ok()
        .flatten()
        .and_then(|field| field.dyn_into::<HtmlInputElement>().ok())
        .ok_or_else(|| MountError::NoEmailField(target.to_string()))?;
    Ok((form, email))
}

/// Adds the consent box for `definition` to the host `form`.
pub fn render(
    place: &Place,
    definition: FormDefinition,
    api: Api,
    form: HtmlFormElement,
    email: HtmlInputElement,
) -> Widget {
    let locale = place.locale(definition.default_locale);
    let (host, root) = shadow_host("doi-consent");
    style::apply(&root);

    let built = fields::build(&definition, locale);
    let email_message = fields::message("doi-email-msg");
    let part = element("div", &[("class", "doi"), ("lang", locale.tag())]);
    append(&part, &[&built.consent, &email_message]);
    if let Some(topics) = &built.topics {
        append(&part, &[topics]);
    }
    append(
        &part,
        &[&built.privacy, &built.honeypot, &built.fields.status],
    );
    append(&root, &[&part]);

    if let Some(slot) = form.query_selector("[data-doi-consent]").ok().flatten() {
        append(&slot, &[&host]);
    } else if let Some(button) = form.query_selector(SUBMIT_BUTTONS).ok().flatten() {
        button.before_with_node_1(&host).or_throw();
    } else {
        append(&form, &[&host]);
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
        sent: RefCell::new(None),
    });
    // Capture phase: runs before the host's own submit handlers, whatever
    // they do; and it only reads, so the host form goes on as before.
    let submit = Listener::new(&form, "submit", true, move |_event| {
        on_submit(&view, &session);
    });
    Widget::new(host, vec![submit])
}

/// The host form is being submitted.
fn on_submit(view: &Rc<View>, session: &Rc<Session>) {
    let answers = view.fields.answers(view.email.value());
    // Never focus or mark the host's fields: only say what is wrong here.
    let email = (&view.email_message, None);
    view.fields.status("", "");
    if !answers.consent {
        // Unticked: the host form goes on and nothing is recorded. Clear
        // what an earlier submission said.
        view.fields.show_problems(&[], session.locale, email, false);
        return;
    }
    if view
        .fields
        .show_problems(&problems(&answers), session.locale, email, false)
    {
        return;
    }
    let (Ok(address), Some(record_id)) = (parse_email(&answers.email), new_record_id()) else {
        return;
    };
    let key = (address, answers.topics.clone());
    if session.busy.get() || view.sent.borrow().as_ref() == Some(&key) {
        return;
    }
    session.busy.set(true);
    let (view, session) = (view.clone(), session.clone());
    // The future starts in a microtask, before the browser acts on the
    // submission (navigation is a later task), and calls fetch before its
    // first pause; keepalive carries the request on if the page goes.
    wasm_bindgen_futures::spawn_local(async move {
        if session
            .send(&view.fields, &answers, record_id, true)
            .await
            .is_some()
        {
            *view.sent.borrow_mut() = Some(key);
        }
        session.busy.set(false);
    });
}
