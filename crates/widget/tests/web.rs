//! Browser tests of the widget's Rust side, run by `cargo xtask test`
//! (suite `widget-browser`) in headless Chromium. `window.fetch` is replaced
//! by a recorder, so these need no Worker: the end-to-end specs in `tests/`
//! cover the real one.
#![cfg(target_arch = "wasm32")]

use doi_core::config::Config;
use doi_core::consent::ConsentRecord;
use doi_core::form::FormDefinition;
use doi_core::text::Msg;
use doi_core::{FormId, Locale, Method};
use doi_widget::api::sleep;
use doi_widget::{mount_at, MountError, Widget};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlFormElement, HtmlInputElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const original = window.fetch;
export function record_fetch(failures, answer) {
  const calls = [];
  window.fetch = (url, init = {}) => {
    calls.push({ url: String(url), body: init.body, keepalive: !!init.keepalive, credentials: init.credentials });
    if (calls.length <= failures) return Promise.reject(new TypeError("Failed to fetch"));
    return Promise.resolve(new Response(JSON.stringify(answer), { status: 200, headers: { "content-type": "application/json" } }));
  };
  return calls;
}
export function restore_fetch() { window.fetch = original; }
export function call_count(calls) { return calls.length; }
export function call_body(calls, i) { return calls[i].body; }
export function call_url(calls, i) { return calls[i].url; }
export function call_keepalive(calls, i) { return calls[i].keepalive; }
export function call_credentials(calls, i) { return calls[i].credentials; }
export function html(markup) {
  const box = document.createElement("div");
  box.innerHTML = markup;
  document.body.append(box);
  return box;
}
export function count_events(target, name) {
  const seen = { count: 0, detail: null };
  target.addEventListener(name, (event) => { seen.count += 1; seen.detail = event.detail; });
  return seen;
}
export function seen_count(seen) { return seen.count; }
export function seen_status(seen) { return seen.detail && seen.detail.status; }
"#)]
extern "C" {
    type Calls;
    type Seen;
    fn record_fetch(failures: u32, answer: JsValue) -> Calls;
    fn restore_fetch();
    fn call_count(calls: &Calls) -> u32;
    fn call_body(calls: &Calls, i: u32) -> String;
    fn call_url(calls: &Calls, i: u32) -> String;
    fn call_keepalive(calls: &Calls, i: u32) -> bool;
    fn call_credentials(calls: &Calls, i: u32) -> String;
    fn html(markup: &str) -> Element;
    fn count_events(target: &JsValue, name: &str) -> Seen;
    fn seen_count(seen: &Seen) -> u32;
    fn seen_status(seen: &Seen) -> Option<String>;
}

const ORIGIN: &str = "https://doi.example";

/// The demo configuration, without minimum fill times so tests need not wait.
fn config() -> Config {
    let mut config = Config::from_toml(include_str!("../../../doi.toml")).unwrap();
    for form in &mut config.forms {
        form.min_fill_ms = 0;
    }
    config
}

/// The definition the Worker serves for `form`, as the browser parses it.
fn definition(form: &str) -> JsValue {
    let config = config();
    let form = config.form(&FormId::parse(form).unwrap()).unwrap();
    let definition = FormDefinition::new(&config, form);
    js_sys::JSON::parse(&serde_json::to_string(&definition).unwrap()).unwrap()
}

fn accepted(double_opt_in: bool) -> JsValue {
    let answer = serde_json::json!({
        "ok": true, "record_id": "ignored-by-the-widget",
        "double_opt_in": double_opt_in,
        "status": if double_opt_in { "pending" } else { "subscribed" },
    });
    js_sys::JSON::parse(&answer.to_string()).unwrap()
}

fn shadow(widget: &Widget) -> ShadowRoot {
    widget.host().shadow_root().unwrap()
}

fn find<T: JsCast>(root: &ShadowRoot, selector: &str) -> T {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into()
        .unwrap()
}

fn text(root: &ShadowRoot, selector: &str) -> String {
    find::<Element>(root, selector)
        .text_content()
        .unwrap_or_default()
}

fn submit(root: &ShadowRoot) {
    find::<HtmlFormElement>(root, "form")
        .request_submit()
        .unwrap();
}

/// Waits until `done` or about three seconds have passed.
async fn until(done: impl Fn() -> bool) {
    for _ in 0..60 {
        if done() {
            return;
        }
        sleep(50).await;
    }
}

fn placeholder(form: &str, lang: &str) -> Element {
    html(&format!(
        r#"<section lang="{lang}"><div data-doi-form="{form}"></div></section>"#
    ))
    .query_selector("[data-doi-form]")
    .unwrap()
    .unwrap()
}

fn form_widget(lang: &str) -> Widget {
    mount_at(
        placeholder("newsletter", lang),
        ORIGIN,
        &definition("newsletter"),
    )
    .unwrap()
}

#[wasm_bindgen_test]
fn the_loaders_fallback_texts_are_the_catalogues() {
    let loader = include_str!("../../../www/loader.js");
    for msg in [Msg::WidgetUnavailable, Msg::SignupElsewhere] {
        for locale in Locale::ALL {
            assert!(loader.contains(msg.text(locale)), "{msg:?} {locale}");
        }
    }
}

#[wasm_bindgen_test]
fn form_mode_shows_an_unticked_box_labelled_with_the_exact_consent_text() {
    let widget = form_widget("en");
    let root = shadow(&widget);
    let consent: HtmlInputElement = find(&root, "#doi-consent");
    assert!(!consent.checked());
    assert_eq!(
        text(&root, "label[for=doi-consent]"),
        config().forms[0].consent.en
    );
    assert_eq!(
        find::<Element>(&root, "form")
            .get_attribute("lang")
            .as_deref(),
        Some("en")
    );
    assert_eq!(
        root.query_selector_all("input[name=topics]")
            .unwrap()
            .length(),
        3
    );
    assert!(text(&root, "label[for=doi-email]").starts_with(Msg::EmailLabel.text(Locale::En)));
}

#[wasm_bindgen_test]
fn the_language_is_data_locale_then_the_pages_lang() {
    let japanese = form_widget("ja");
    assert_eq!(
        text(&shadow(&japanese), "button"),
        Msg::Subscribe.text(Locale::Ja)
    );
    let place = placeholder("newsletter", "ja");
    place.set_attribute("data-locale", "en").unwrap();
    let english = mount_at(place, ORIGIN, &definition("newsletter")).unwrap();
    assert_eq!(
        text(&shadow(&english), "button"),
        Msg::Subscribe.text(Locale::En)
    );
}

#[wasm_bindgen_test]
async fn an_unticked_box_or_a_bad_address_sends_nothing_and_says_why() {
    let calls = record_fetch(0, accepted(true));
    let widget = form_widget("en");
    let root = shadow(&widget);
    let email: HtmlInputElement = find(&root, "#doi-email");

    email.set_value("someone@example.com");
    submit(&root);
    assert_eq!(
        text(&root, "#doi-consent-msg"),
        Msg::ConsentRequired.text(Locale::En)
    );

    email.set_value("not an address");
    find::<HtmlInputElement>(&root, "#doi-consent").set_checked(true);
    submit(&root);
    assert!(!text(&root, "#doi-email-msg").is_empty());
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(text(&root, "#doi-consent-msg"), "");

    sleep(100).await;
    assert_eq!(call_count(&calls), 0);
    restore_fetch();
}

#[wasm_bindgen_test]
async fn a_ticked_box_sends_one_record_the_worker_would_accept() {
    let calls = record_fetch(0, accepted(true));
    let widget = form_widget("ja");
    let seen = count_events(widget.host(), "doi:consent");
    let root = shadow(&widget);
    find::<HtmlInputElement>(&root, "#doi-email").set_value("Taro@Example.jp");
    find::<HtmlInputElement>(&root, "#doi-consent").set_checked(true);
    find::<HtmlInputElement>(&root, "input[value=events]").set_checked(false);
    submit(&root);
    until(|| seen_count(&seen) > 0).await;

    assert_eq!(call_count(&calls), 1);
    assert_eq!(call_url(&calls, 0), format!("{ORIGIN}/v1/subscribe"));
    assert_eq!(call_credentials(&calls, 0), "omit");
    let record: ConsentRecord = serde_json::from_str(&call_body(&calls, 0)).unwrap();
    assert_eq!(record.email, "Taro@Example.jp");
    assert_eq!(record.locale, Locale::Ja);
    let topics: Vec<&str> = record.topics.iter().map(|t| t.as_str()).collect();
    assert_eq!(topics, ["product", "tips"]);
    assert!(record.check(&config(), Method::Widget, None).is_ok());

    assert_eq!(seen_status(&seen).as_deref(), Some("pending"));
    assert_eq!(
        text(&root, "[role=status]"),
        Msg::CheckInbox.text(Locale::Ja)
    );
    restore_fetch();
}

#[wasm_bindgen_test]
async fn unticking_every_topic_sends_nothing() {
    let calls = record_fetch(0, accepted(true));
    let widget = form_widget("en");
    let root = shadow(&widget);
    find::<HtmlInputElement>(&root, "#doi-email").set_value("a@example.com");
    find::<HtmlInputElement>(&root, "#doi-consent").set_checked(true);
    for topic in ["product", "events", "tips"] {
        find::<HtmlInputElement>(&root, &format!("input[value={topic}]")).set_checked(false);
    }
    submit(&root);
    sleep(100).await;
    assert_eq!(call_count(&calls), 0);
    assert_eq!(
        text(&root, "#doi-topics-msg"),
        Msg::TopicRequired.text(Locale::En)
    );
    restore_fetch();
}

#[wasm_bindgen_test]
async fn network_failures_are_retried_with_the_same_record_id() {
    let calls = record_fetch(2, accepted(false));
    let widget = form_widget("en");
    let seen = count_events(widget.host(), "doi:consent");
    let root = shadow(&widget);
    find::<HtmlInputElement>(&root, "#doi-email").set_value("retry@example.com");
    find::<HtmlInputElement>(&root, "#doi-consent").set_checked(true);
    submit(&root);
    until(|| seen_count(&seen) > 0).await;
    assert_eq!(call_count(&calls), 3);
    let id = |i| {
        serde_json::from_str::<ConsentRecord>(&call_body(&calls, i))
            .unwrap()
            .record_id
    };
    assert_eq!(id(0), id(1));
    assert_eq!(id(1), id(2));
    assert_eq!(
        text(&root, "[role=status]"),
        Msg::Subscribed.text(Locale::En)
    );
    restore_fetch();
}

#[wasm_bindgen_test]
async fn after_the_last_retry_it_says_it_failed() {
    let calls = record_fetch(99, accepted(false));
    let widget = form_widget("en");
    let root = shadow(&widget);
    find::<HtmlInputElement>(&root, "#doi-email").set_value("down@example.com");
    find::<HtmlInputElement>(&root, "#doi-consent").set_checked(true);
    submit(&root);
    let failed = Msg::NetworkFailed.text(Locale::En);
    for _ in 0..140 {
        if text(&root, "[role=status]") == failed {
            break;
        }
        sleep(50).await;
    }
    assert_eq!(text(&root, "[role=status]"), failed);
    assert_eq!(call_count(&calls), 4);
    restore_fetch();
}

/// A host form like a whitepaper download, whose own submit handler keeps
/// the page (so the test can watch) and counts submissions.
/// `id` keeps each test's form apart (they share one document).
fn host_form(id: &str) -> (Element, Seen) {
    let page = html(&format!(
        r##"<form id="{id}"><input name="name"><input type="email" name="email">
           <button type="submit">Download</button></form>
           <script data-form="whitepaper" data-attach="#{id}" data-locale="en"></script>"##
    ));
    let form = page.query_selector("form").unwrap().unwrap();
    let submits = count_events(&form, "submit");
    form.add_event_listener_with_callback(
        "submit",
        &js_sys::Function::new_with_args("event", "event.preventDefault()"),
    )
    .unwrap();
    (page, submits)
}

#[wasm_bindgen_test]
async fn attach_mode_records_nothing_when_unticked_and_never_stops_the_host_form() {
    let calls = record_fetch(0, accepted(false));
    let (page, submits) = host_form("download-both-ways");
    let script = page.query_selector("script").unwrap().unwrap();
    let widget = mount_at(script, ORIGIN, &definition("whitepaper")).unwrap();
    let form: HtmlFormElement = page
        .query_selector("form")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(form.contains(Some(widget.host())));
    let fields_before = form.elements().length();

    let email: HtmlInputElement = page
        .query_selector("[type=email]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    email.set_value("host@example.com");
    form.request_submit().unwrap();
    sleep(100).await;
    assert_eq!(seen_count(&submits), 1);
    assert_eq!(call_count(&calls), 0);

    find::<HtmlInputElement>(&shadow(&widget), "#doi-consent").set_checked(true);
    form.request_submit().unwrap();
    until(|| call_count(&calls) > 0).await;
    assert_eq!(seen_count(&submits), 2);
    assert_eq!(call_count(&calls), 1);
    assert!(call_keepalive(&calls, 0));
    let record: ConsentRecord = serde_json::from_str(&call_body(&calls, 0)).unwrap();
    assert_eq!(record.email, "host@example.com");
    assert_eq!(record.form.as_str(), "whitepaper");
    assert!(record.check(&config(), Method::Widget, None).is_ok());
    // The box is not one of the host form's fields: it submits what it did.
    assert_eq!(form.elements().length(), fields_before);
    restore_fetch();
}

#[wasm_bindgen_test]
fn attach_mode_without_a_target_or_email_field_is_refused() {
    let page = html(
        r##"<script data-form="whitepaper" data-attach="#nowhere"></script>
            <form id="no-email"><input name="name"></form>"##,
    );
    let script = page.query_selector("script").unwrap().unwrap();
    let missing = mount_at(script.clone(), ORIGIN, &definition("whitepaper")).err();
    assert_eq!(
        missing,
        Some(MountError::AttachTargetMissing("#nowhere".into()))
    );
    script.set_attribute("data-attach", "#no-email").unwrap();
    let no_email = mount_at(script, ORIGIN, &definition("whitepaper")).err();
    assert_eq!(no_email, Some(MountError::NoEmailField("#no-email".into())));
}

#[wasm_bindgen_test]
fn a_bad_definition_is_refused_by_field() {
    let bad = js_sys::JSON::parse(r#"{"id":"newsletter"}"#).unwrap();
    let error = mount_at(placeholder("newsletter", "en"), ORIGIN, &bad).err();
    assert!(
        matches!(error, Some(MountError::Definition(_))),
        "{error:?}"
    );
}

#[wasm_bindgen_test]
async fn dropping_a_widget_removes_its_element_and_its_listener() {
    let calls = record_fetch(0, accepted(false));
    let (page, submits) = host_form("download-dropped");
    let script = page.query_selector("script").unwrap().unwrap();
    let widget = mount_at(script, ORIGIN, &definition("whitepaper")).unwrap();
    find::<HtmlInputElement>(&shadow(&widget), "#doi-consent").set_checked(true);
    let host = widget.host().clone();
    drop(widget);
    assert!(!host.is_connected());
    let form: HtmlFormElement = page
        .query_selector("form")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let email: HtmlInputElement = page
        .query_selector("[type=email]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    email.set_value("gone@example.com");
    form.request_submit().unwrap();
    sleep(100).await;
    assert_eq!(seen_count(&submits), 1);
    assert_eq!(call_count(&calls), 0);
    restore_fetch();
}
