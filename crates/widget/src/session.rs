//! One rendered widget's dealings with the Worker: turning valid answers
//! into a consent record, sending it (with retries), telling the person how
//! it went, and announcing success to the host page with a `doi:consent`
//! event.

use std::cell::Cell;

use doi_core::form::FormDefinition;
use doi_core::{EventId, Locale, Timestamp, TopicId};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

use crate::api::{Api, Receipt};
use crate::fields::Fields;
use crate::place::{now, page_url};
use crate::record::{consent_record, Answers, Moment};
use crate::text::{self, Text};

/// The name of the event dispatched on the widget's host element (it
/// bubbles and crosses shadow roots) after the Worker accepted a signup.
pub const CONSENT_EVENT: &str = "doi:consent";

/// What a rendered widget knows.
pub struct Session {
    /// The Worker.
    pub api: Api,
    /// The form as the Worker described it.
    pub definition: FormDefinition,
    /// The language shown.
    pub locale: Locale,
    /// The widget's host element (`doi-form` or `doi-consent`).
    pub host: Element,
    /// When the form appeared (browser clock, ms).
    pub rendered_at: u64,
    /// A submission is being sent.
    pub busy: Cell<bool>,
}

impl Session {
    /// A message from the catalogue in the widget's language.
    pub fn text(&self, text: Text) -> &'static str {
        text.get(self.locale)
    }

    /// Milliseconds since the form appeared.
    pub fn elapsed_ms(&self) -> u64 {
        now().saturating_sub(self.rendered_at)
    }

    /// Sends `answers` (already free of problems) as one consent record
    /// with id `record_id`, retrying on network failure with the same id,
    /// and shows the outcome in `fields`' status line. The receipt on
    /// success. Nothing in here throws: it runs inside a future.
    pub async fn send(
        &self,
        fields: &Fields,
        answers: &Answers,
        record_id: EventId,
        keepalive: bool,
    ) -> Option<Receipt> {
        let moment = Moment {
            record_id,
            page_url: page_url(),
            client_time: Timestamp(now()),
            elapsed_ms: self.elapsed_ms(),
        };
        let record = consent_record(&self.definition, self.locale, answers, moment);
        fields.status(self.text(text::SENDING), "");
        let outcome = self
            .api
            .subscribe_with_retries(&record, keepalive, |_| {
                fields.status(self.text(text::RETRYING), "");
            })
            .await;
        match outcome {
            Ok(receipt) => {
                let done = if receipt.double_opt_in || receipt.status == "pending" {
                    text::CHECK_INBOX
                } else {
                    text::SUBSCRIBED
                };
                fields.status(self.text(done), "ok");
                let _ = self.announce(&receipt, &record.topics);
                Some(receipt)
            }
            Err(error) => {
                fields.status(self.text(error.message()), "error");
                None
            }
        }
    }

    /// Dispatches [`CONSENT_EVENT`] on the host element. `event.detail`
    /// holds `form`, `record_id`, `status`, `double_opt_in`, `locale` and
    /// `topics`; the address is left out on purpose (the host page has its
    /// own field if it needs it).
    fn announce(&self, receipt: &Receipt, topics: &[TopicId]) -> Result<(), JsValue> {
        let detail = Object::new();
        let set = |key: &str, value: JsValue| Reflect::set(&detail, &key.into(), &value);
        set("form", self.definition.id.as_str().into())?;
        set("record_id", receipt.record_id.as_str().into())?;
        set("status", receipt.status.as_str().into())?;
        set("double_opt_in", receipt.double_opt_in.into())?;
        set("locale", self.locale.tag().into())?;
        let list: Array = topics
            .iter()
            .map(|t| JsValue::from_str(t.as_str()))
            .collect();
        set("topics", list.into())?;
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail);
        let event = CustomEvent::new_with_event_init_dict(CONSENT_EVENT, &init)?;
        self.host.dispatch_event(&event)?;
        Ok(())
    }
}
