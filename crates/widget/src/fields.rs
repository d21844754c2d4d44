//! The parts both modes show: the consent box (never ticked by the widget,
//! its label exactly the consent text), the topic choices, the privacy
//! link, the honeypot, and the places where messages appear.
//!
//! Ids are safe to repeat across widgets: each widget lives in its own
//! shadow root.

use doi_core::form::FormDefinition;
use doi_core::{Locale, TopicId};
use web_sys::{Element, HtmlElement, HtmlInputElement};

use crate::dom::{append, element, flag, input, text_element, OrThrow};
use crate::record::{Answers, Problem};
use crate::text;

/// The consent parts of a rendered widget, to read answers from and to put
/// messages in.
pub struct Fields {
    /// The consent checkbox.
    pub consent: HtmlInputElement,
    /// Under the consent box: "please tick the box" (`aria-live`).
    pub consent_message: Element,
    /// Topic checkboxes (only when the form offers two or more).
    pub topics: Vec<(TopicId, HtmlInputElement)>,
    /// The one topic a form offers, sent without asking.
    pub single_topic: Option<TopicId>,
    /// Under the topics: "choose at least one" (`aria-live`).
    pub topics_message: Option<Element>,
    /// The honeypot.
    pub website: HtmlInputElement,
    /// Sending, retrying, done or failed (`role=status`).
    pub status: Element,
}

/// Where a part goes in the widget: each returned element is appended by
/// the caller, in the order of its layout.
pub struct Built {
    /// The parts to read and write later.
    pub fields: Fields,
    /// Topic choices (`None` when the form offers fewer than two).
    pub topics: Option<Element>,
    /// Consent box and its message.
    pub consent: Element,
    /// Privacy link.
    pub privacy: Element,
    /// Honeypot.
    pub honeypot: Element,
}

/// Builds the parts for `definition` in `locale`.
pub fn build(definition: &FormDefinition, locale: Locale) -> Built {
    let consent_text = &definition.consent(locale).text;
    let consent = input(&[
        ("type", "checkbox"),
        ("id", "doi-consent"),
        ("name", "consent"),
        ("aria-describedby", "doi-consent-msg"),
    ]);
    // Never ticked by the widget (GDPR: no pre-ticked consent).
    consent.set_checked(false);
    let consent_row = element("div", &[("class", "check consent")]);
    append(
        &consent_row,
        &[
            &consent,
            &text_element("label", &[("for", "doi-consent")], consent_text),
        ],
    );
    let consent_message = message("doi-consent-msg");
    let consent_part = element("div", &[]);
    append(&consent_part, &[&consent_row, &consent_message]);

    let mut topics = Vec::new();
    let mut single_topic = None;
    let mut topics_part = None;
    let mut topics_message = None;
    match definition.topics.as_slice() {
        [] => {}
        [only] => single_topic = Some(only.id.clone()),
        offered => {
            let fieldset = element("fieldset", &[("aria-describedby", "doi-topics-msg")]);
            append(
                &fieldset,
                &[&text_element(
                    "legend",
                    &[],
                    text::TOPICS_LEGEND.get(locale),
                )],
            );
            for topic in offered {
                let tick = input(&[
                    ("type", "checkbox"),
                    ("name", "topics"),
                    ("value", topic.id.as_str()),
                ]);
                // Topics narrow what is sent; consent itself is the box above.
                tick.set_checked(true);
                let label = element("label", &[("class", "check")]);
                append(
                    &label,
                    &[&tick, &text_element("span", &[], topic.name.get(locale))],
                );
                append(&fieldset, &[&label]);
                topics.push((topic.id.clone(), tick));
            }
            let place = message("doi-topics-msg");
            append(&fieldset, &[&place]);
            topics_part = Some(fieldset);
            topics_message = Some(place);
        }
    }

    let privacy = element("p", &[]);
    let link = text_element(
        "a",
        &[("target", "_blank"), ("rel", "noopener noreferrer")],
        text::PRIVACY_POLICY.get(locale),
    );
    let url = definition.privacy_url.as_str();
    if url.starts_with("https://") || url.starts_with("http://") {
        link.set_attribute("href", url).or_throw();
    }
    append(&privacy, &[&link]);

    // Off-screen, hidden from assistive technology, out of the tab order:
    // people never fill it in, form-filling bots do.
    let honeypot = element("div", &[("class", "hp"), ("aria-hidden", "true")]);
    let website = input(&[
        ("type", "text"),
        ("id", "doi-website"),
        ("name", "website"),
        ("tabindex", "-1"),
        ("autocomplete", "off"),
    ]);
    append(
        &honeypot,
        &[
            &text_element(
                "label",
                &[("for", "doi-website")],
                text::HONEYPOT_LABEL.get(locale),
            ),
            &website,
        ],
    );

    let status = element(
        "p",
        &[("class", "status"), ("role", "status"), ("tabindex", "-1")],
    );
    Built {
        fields: Fields {
            consent,
            consent_message,
            topics,
            single_topic,
            topics_message,
            website,
            status,
        },
        topics: topics_part,
        consent: consent_part,
        privacy,
        honeypot,
    }
}

/// An empty message place, announced when text appears in it.
pub fn message(id: &str) -> Element {
    element(
        "p",
        &[("id", id), ("class", "msg"), ("aria-live", "polite")],
    )
}

impl Fields {
    /// What the person entered, with `email` from wherever the mode reads it.
    pub fn answers(&self, email: String) -> Answers {
        let mut topics: Vec<TopicId> = self
            .topics
            .iter()
            .filter(|(_, tick)| tick.checked())
            .map(|(id, _)| id.clone())
            .collect();
        topics.extend(self.single_topic.clone());
        Answers {
            email,
            consent: self.consent.checked(),
            topics,
            topics_offered: !self.topics.is_empty(),
            website: self.website.value(),
        }
    }

    /// Shows `problems` beside their fields and clears the others. The
    /// email problem goes to `email.0`; `email.1` is the email field when
    /// it is the widget's own (marked invalid, focusable). With `focus`,
    /// moves focus to the first field to fix. Returns whether there were any.
    pub fn show_problems(
        &self,
        problems: &[Problem],
        locale: Locale,
        email: (&Element, Option<&HtmlInputElement>),
        focus: bool,
    ) -> bool {
        let find = |wanted: fn(&Problem) -> bool| problems.iter().find(|p| wanted(p));
        let text = |problem: Option<&Problem>| problem.map(|p| p.message(locale));
        let email_problem = find(|p| matches!(p, Problem::Email(_)));
        let topic_problem = find(|p| matches!(p, Problem::NoTopic));
        let consent_problem = find(|p| matches!(p, Problem::NoConsent));
        let mut first: Option<HtmlElement> = None;

        say(email.0, text(email_problem).as_deref());
        if let Some(field) = email.1 {
            flag(field, "aria-invalid", email_problem.is_some());
            if email_problem.is_some() {
                first = Some(field.clone().into());
            }
        }
        if let Some(place) = &self.topics_message {
            say(place, text(topic_problem).as_deref());
            if let (Some(_), None, Some((_, tick))) = (topic_problem, &first, self.topics.first()) {
                first = Some(tick.clone().into());
            }
        }
        say(&self.consent_message, text(consent_problem).as_deref());
        flag(&self.consent, "aria-invalid", consent_problem.is_some());
        if consent_problem.is_some() && first.is_none() {
            first = Some(self.consent.clone().into());
        }
        if let (true, Some(field)) = (focus, first) {
            let _ = field.focus();
        }
        !problems.is_empty()
    }

    /// Sets the status line; `tone` is `""`, `"ok"` or `"error"`.
    /// Safe inside futures: it cannot throw.
    pub fn status(&self, text: &str, tone: &str) {
        let _ = self
            .status
            .set_attribute("class", &format!("status {tone}"));
        say(&self.status, Some(text));
    }
}

/// Puts `text` in a message place (or empties it).
pub fn say(place: &Element, text: Option<&str>) {
    place.set_text_content(text);
}
