//! The few DOM operations the widget needs, in the style of gloo: plain
//! functions over web-sys, and event listeners that are removed when dropped
//! instead of leaked with `Closure::forget`.
//!
//! Everything is built with `createElement`, `setAttribute` and
//! `textContent`: no `innerHTML`, so text from the Worker can never become
//! markup and pages that enforce Trusted Types still work.
//!
//! These calls cannot fail with the constant tag and attribute names the
//! widget uses, so the helpers do not return `Result`s: if the browser throws
//! anyway, the exception is re-thrown to JavaScript as it is ([`OrThrow`]),
//! where the loader catches it and falls back to a link. This keeps error
//! paths (and their clean-up code, which is most of the bytes of DOM code
//! written with `?`) out of the widget. Only synchronous code uses them: an
//! exception must never cross a pending future.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, EventTarget, HtmlInputElement, Node};

/// Unwraps a DOM call's result, re-throwing the browser's exception.
pub trait OrThrow<T> {
    /// The value, or the JavaScript exception thrown on.
    fn or_throw(self) -> T;
}

impl<T> OrThrow<T> for Result<T, JsValue> {
    fn or_throw(self) -> T {
        match self {
            Ok(value) => value,
            Err(error) => wasm_bindgen::throw_val(error),
        }
    }
}

impl<T> OrThrow<T> for Option<T> {
    fn or_throw(self) -> T {
        match self {
            Some(value) => value,
            None => wasm_bindgen::throw_str("doi: no window or document"),
        }
    }
}

/// The page's document.
pub fn document() -> Document {
    web_sys::window()
        .and_then(|window| window.document())
        .or_throw()
}

/// A new element with attributes.
pub fn element(tag: &str, attributes: &[(&str, &str)]) -> Element {
    let element = document().create_element(tag).or_throw();
    for (name, value) in attributes {
        element.set_attribute(name, value).or_throw();
    }
    element
}

/// A new element with attributes and text.
pub fn text_element(tag: &str, attributes: &[(&str, &str)], text: &str) -> Element {
    let element = element(tag, attributes);
    element.set_text_content(Some(text));
    element
}

/// A new `<input>` with attributes.
pub fn input(attributes: &[(&str, &str)]) -> HtmlInputElement {
    element("input", attributes).unchecked_into()
}

/// Appends `children` to `parent`, in order.
pub fn append(parent: &Node, children: &[&Node]) {
    for child in children {
        parent.append_child(child).or_throw();
    }
}

/// Sets or removes a boolean attribute (`hidden`, `aria-invalid`, …).
/// Safe inside futures: it cannot throw for these names.
pub fn flag(element: &Element, name: &str, on: bool) {
    let _ = if on {
        element.set_attribute(name, "true")
    } else {
        element.remove_attribute(name)
    };
}

/// An event listener that stays registered while this value lives.
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    capture: bool,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Calls `handler` for every `kind` event on `target` (in the capture
    /// phase when `capture` is true) until the listener is dropped.
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        capture: bool,
        handler: impl FnMut(Event) + 'static,
    ) -> Listener {
        let callback = Closure::<dyn FnMut(Event)>::new(handler);
        target
            .add_event_listener_with_callback_and_bool(
                kind,
                callback.as_ref().unchecked_ref(),
                capture,
            )
            .or_throw();
        Listener {
            target: target.clone(),
            kind,
            capture,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Removing a listener that is registered cannot fail.
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.kind,
            self.callback.as_ref().unchecked_ref(),
            self.capture,
        );
    }
}
