//! doi-widget: the script tag that asks for email consent properly.
//!
//! `www/loader.js` (bundled with this crate's wasm into `doi.js`) finds the
//! places on the page — the `<script data-form=…>` tag itself and any
//! `<div data-doi-form=…>` placeholder — fetches each form's definition from
//! the Worker (while the wasm compiles), and calls [`mount`] for each. A
//! mount reads the place ([`place`]) and the definition ([`json`]), and
//! renders either a whole form ([`form`]) or a consent box on the site's own
//! form ([`attach`]), each in a shadow root styled by [`style`]. Submissions
//! become consent records built by doi-core ([`record`]) and are sent to the
//! Worker ([`api`]) by a [`session`].
//!
//! When a mount fails (no such form, no email field to attach to, a bad
//! definition) it throws a sentence; the loader then leaves a link to the
//! hosted signup page and says why in the console. The loader does the same
//! when the definition cannot be fetched or WebAssembly itself cannot run (a
//! Content-Security-Policy without `'wasm-unsafe-eval'`).
//!
//! The widget must never decide anything about consent itself (doi-core
//! does), set cookies or storage, talk to any origin but the Worker's, or
//! block or break the host's form.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

// The browser runs one thread, and the widget allocates little: a small
// free-list allocator saves about 10 KB of every visitor's download.
// SAFETY: wasm32-unknown-unknown without atomics is single-threaded.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

pub mod api;
pub mod attach;
pub mod dom;
pub mod fields;
pub mod form;
pub mod json;
pub mod place;
pub mod record;
pub mod session;
pub mod style;
pub mod text;

use std::cell::RefCell;

use doi_core::form::FormDefinition;
use thiserror::Error;
use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::api::Api;
use crate::dom::{document, Listener, OrThrow};
use crate::place::{Mode, Place};

/// Why a place got no widget. The loader shows a link to the hosted signup
/// page instead and logs this sentence, so each says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MountError {
    /// Neither `data-form` nor `data-doi-form`.
    #[error("the script tag or placeholder names no form: add data-form=\"FORM_ID\"")]
    NoFormId,
    /// Not a form id.
    #[error("\"{0}\" is not a form id (lower-case letters, digits, '-' and '_')")]
    BadFormId(String),
    /// `data-attach` matched nothing.
    #[error("data-attach=\"{0}\" matches no form on this page")]
    AttachTargetMissing(String),
    /// The host form has no field to read the address from.
    #[error("the form at data-attach=\"{0}\" has no email field the widget can find: add data-email-field=\"CSS selector\"")]
    NoEmailField(String),
    /// The Worker's definition lacks a field or has a wrong one.
    #[error("the form definition from the Worker has a missing or bad \"{0}\"")]
    Definition(&'static str),
}

/// A rendered widget. Dropping it removes its listeners and its element.
pub struct Widget {
    host: Element,
    _listeners: Vec<Listener>,
}

impl Widget {
    fn new(host: Element, listeners: Vec<Listener>) -> Widget {
        Widget {
            host,
            _listeners: listeners,
        }
    }

    /// The host element (`doi-form` or `doi-consent`) holding the shadow root.
    pub fn host(&self) -> &Element {
        &self.host
    }
}

impl Drop for Widget {
    fn drop(&mut self) {
        self.host.remove();
    }
}

thread_local! {
    /// Widgets mounted by the loader live as long as the page.
    static MOUNTED: RefCell<Vec<Widget>> = const { RefCell::new(Vec::new()) };
}

/// Mounts the widget at `place` (a script tag or placeholder) from
/// `definition` (the parsed body of `GET /v1/forms/{id}`), sending consent
/// to the Worker at `origin`. Throws a sentence saying why it could not.
#[wasm_bindgen]
pub fn mount(place: Element, origin: &str, definition: JsValue) -> Result<(), JsValue> {
    match mount_at(place, origin, &definition) {
        Ok(widget) => {
            MOUNTED.with(|mounted| mounted.borrow_mut().push(widget));
            Ok(())
        }
        Err(error) => Err(JsValue::from_str(&error.to_string())),
    }
}

/// [`mount`] for Rust callers: the widget is theirs to keep or drop.
pub fn mount_at(place: Element, origin: &str, definition: &JsValue) -> Result<Widget, MountError> {
    let place = Place::read(place)?;
    let definition =
        json::form_definition(definition).map_err(|bad| MountError::Definition(bad.0))?;
    render(&place, definition, Api::new(origin))
}

/// Renders `definition` at `place`.
pub fn render(place: &Place, definition: FormDefinition, api: Api) -> Result<Widget, MountError> {
    Ok(match &place.mode {
        Mode::Form => form::render(place, definition, api),
        Mode::Attach {
            target,
            email_field,
        } => {
            let (form, email) = attach::target(target, email_field.as_deref())?;
            attach::render(place, definition, api, form, email)
        }
    })
}

/// A new `tag` element with an open shadow root. If the page has defined a
/// custom element of that name (so the shadow root is taken), a `div`
/// takes its place.
fn shadow_host(tag: &str) -> (Element, ShadowRoot) {
    let init = ShadowRootInit::new(ShadowRootMode::Open);
    let host = document()
        .create_element(tag)
        .and_then(|host| Ok((host.attach_shadow(&init)?, host)));
    match host {
        Ok((root, host)) => (host, root),
        Err(_) => {
            let host = dom::element("div", &[]);
            let root = host.attach_shadow(&init).or_throw();
            (host, root)
        }
    }
}
