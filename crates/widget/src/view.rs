//! What each mode shows, as a tree the loader builds in the shadow root.
//!
//! The tree is JSON: an element is `[tag, {attribute: value, …}, child, …]`
//! and a child is an element or a string of text. The loader makes it with
//! `createElement`, `setAttribute` and `textContent` only, so text from the
//! Worker can never become markup, and pages that enforce Trusted Types
//! work as well.
//!
//! Both modes show the consent box, never ticked, its label exactly the
//! consent text; the topic choices when the form offers two or more (all
//! ticked: they narrow what is sent, the consent is the box); the privacy
//! link; a honeypot; and a place for each message. Form mode adds a
//! heading, the email field and the submit button. Ids repeat across
//! widgets safely: each widget lives in its own shadow root. The loader
//! finds the parts it works with by these ids:
//!
//! | id | what |
//! |---|---|
//! | `doi-email` | the email field (form mode) |
//! | `doi-email-msg`, `doi-topics-msg`, `doi-consent-msg` | problem messages (`aria-live`) |
//! | `doi-consent` | the consent box |
//! | `doi-website` | the honeypot |
//! | `doi-body` | what is hidden after success (form mode) |
//! | `doi-status` | sending, retrying, done or failed (`role=status`) |
//!
//! Topic boxes are `input[name=topics]`, their value the topic id.

use crate::prelude::*;

use doi_core::Locale;

use crate::forms::{say, Built};
use crate::json::quote;
use crate::text;

/// The tree for `form` in `locale`: the whole form, or (`attach`) the
/// consent box added to the site's own form.
pub fn layout(form: &Built, locale: Locale, attach: bool) -> String {
    let mut tree = Tree::default();
    if attach {
        tree.open("div", &[("class", "doi"), ("lang", locale.tag())]);
        consent(&mut tree, form, locale);
        message(&mut tree, "doi-email-msg");
        topics(&mut tree, form, locale);
        privacy_and_honeypot(&mut tree, form, locale);
    } else {
        tree.open(
            "form",
            &[
                ("class", "doi"),
                ("lang", locale.tag()),
                ("novalidate", ""),
                ("aria-labelledby", "doi-title"),
            ],
        );
        tree.leaf("h2", &[("id", "doi-title")], form.title(locale));
        tree.open("div", &[("id", "doi-body")]);
        // Pushed, not `concat`: that would compile in a general join.
        let mut label = String::from(text::EMAIL_LABEL.get(locale));
        label.push_str(" (");
        label.push_str(text::REQUIRED.get(locale));
        label.push(')');
        tree.leaf("label", &[("for", "doi-email")], &label);
        tree.leaf(
            "input",
            &[
                ("type", "email"),
                ("id", "doi-email"),
                ("name", "email"),
                ("autocomplete", "email"),
                ("inputmode", "email"),
                ("spellcheck", "false"),
                ("aria-required", "true"),
                ("aria-describedby", "doi-email-msg"),
            ],
            "",
        );
        message(&mut tree, "doi-email-msg");
        topics(&mut tree, form, locale);
        consent(&mut tree, form, locale);
        privacy_and_honeypot(&mut tree, form, locale);
        tree.leaf("button", &[("type", "submit")], text::SUBSCRIBE.get(locale));
        tree.close();
    }
    tree.leaf(
        "p",
        &[
            ("id", "doi-status"),
            ("class", "status"),
            ("role", "status"),
            ("tabindex", "-1"),
        ],
        "",
    );
    tree.close();
    tree.out
}

/// The consent box (never ticked) labelled with the exact consent text,
/// and its message place.
fn consent(tree: &mut Tree, form: &Built, locale: Locale) {
    tree.open("div", &[]);
    tree.open("div", &[("class", "check consent")]);
    tree.leaf(
        "input",
        &[
            ("type", "checkbox"),
            ("id", "doi-consent"),
            ("name", "consent"),
            ("aria-describedby", "doi-consent-msg"),
        ],
        "",
    );
    tree.leaf("label", &[("for", "doi-consent")], form.consent(locale).0);
    tree.close();
    message(tree, "doi-consent-msg");
    tree.close();
}

/// The topic choices, when there is a choice.
fn topics(tree: &mut Tree, form: &Built, locale: Locale) {
    if form.topics.len() < 2 {
        return;
    }
    tree.open("fieldset", &[("aria-describedby", "doi-topics-msg")]);
    tree.leaf("legend", &[], text::TOPICS_LEGEND.get(locale));
    for (id, name) in form.topics {
        tree.open("label", &[("class", "check")]);
        tree.leaf(
            "input",
            &[
                ("type", "checkbox"),
                ("name", "topics"),
                ("value", id),
                ("checked", ""),
            ],
            "",
        );
        tree.leaf("span", &[], say(name, locale));
        tree.close();
    }
    message(tree, "doi-topics-msg");
    tree.close();
}

/// The privacy link (an `http(s)` URL only) and the honeypot: off-screen,
/// hidden from assistive technology and out of the tab order, so people
/// never fill it in and form-filling bots do.
fn privacy_and_honeypot(tree: &mut Tree, form: &Built, locale: Locale) {
    let url = form.privacy_url;
    let linkable = url.starts_with("https://") || url.starts_with("http://");
    let link: &[(&str, &str)] = if linkable {
        &[
            ("target", "_blank"),
            ("rel", "noopener noreferrer"),
            ("href", url),
        ]
    } else {
        &[("target", "_blank"), ("rel", "noopener noreferrer")]
    };
    tree.open("p", &[]);
    tree.leaf("a", link, text::PRIVACY_POLICY.get(locale));
    tree.close();
    tree.open("div", &[("class", "hp"), ("aria-hidden", "true")]);
    tree.leaf(
        "label",
        &[("for", "doi-website")],
        text::HONEYPOT_LABEL.get(locale),
    );
    tree.leaf(
        "input",
        &[
            ("type", "text"),
            ("id", "doi-website"),
            ("name", "website"),
            ("tabindex", "-1"),
            ("autocomplete", "off"),
        ],
        "",
    );
    tree.close();
}

/// An empty message place, announced when text appears in it.
fn message(tree: &mut Tree, id: &str) {
    tree.leaf(
        "p",
        &[("id", id), ("class", "msg"), ("aria-live", "polite")],
        "",
    );
}

/// Writes the JSON tree.
#[derive(Default)]
struct Tree {
    out: String,
}

impl Tree {
    /// Starts an element; its children follow until [`Tree::close`].
    fn open(&mut self, tag: &str, attributes: &[(&str, &str)]) {
        if !self.out.is_empty() {
            self.out.push(',');
        }
        self.out.push('[');
        quote(&mut self.out, tag);
        self.out.push_str(",{");
        for (i, (name, value)) in attributes.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            quote(&mut self.out, name);
            self.out.push(':');
            quote(&mut self.out, value);
        }
        self.out.push('}');
    }

    /// An element holding just `text` (none when empty).
    fn leaf(&mut self, tag: &str, attributes: &[(&str, &str)], text: &str) {
        self.open(tag, attributes);
        if !text.is_empty() {
            self.out.push(',');
            quote(&mut self.out, text);
        }
        self.close();
    }

    fn close(&mut self) {
        self.out.push(']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn built(form: &str) -> &'static Built {
        crate::forms::find(form, "https://doi.example", "https://doi.example").unwrap()
    }

    fn tree(form: &str, locale: Locale, attach: bool) -> Value {
        serde_json::from_str(&layout(built(form), locale, attach)).unwrap()
    }

    /// Every element of `tree` (depth first) as (tag, attributes, text).
    fn elements(tree: &Value, out: &mut Vec<(String, Value, String)>) {
        let parts = tree.as_array().unwrap();
        let text = parts[2..]
            .iter()
            .filter_map(|child| child.as_str())
            .collect::<String>();
        out.push((parts[0].as_str().unwrap().into(), parts[1].clone(), text));
        for child in &parts[2..] {
            if child.is_array() {
                elements(child, out);
            }
        }
    }

    fn find(tree: &Value, id: &str) -> (String, Value, String) {
        let mut all = Vec::new();
        elements(tree, &mut all);
        all.into_iter()
            .find(|(_, attributes, _)| attributes["id"] == id)
            .unwrap_or_else(|| panic!("no #{id}"))
    }

    #[test]
    fn the_box_is_unticked_and_labelled_with_the_exact_text_in_both_modes() {
        for attach in [false, true] {
            for locale in Locale::ALL {
                let shown = tree("newsletter", locale, attach);
                let (tag, attributes, _) = find(&shown, "doi-consent");
                assert_eq!(tag, "input");
                assert_eq!(attributes["type"], "checkbox");
                assert!(attributes.get("checked").is_none());
                let mut all = Vec::new();
                elements(&shown, &mut all);
                let label = all
                    .iter()
                    .find(|(_, a, _)| a["for"] == "doi-consent")
                    .unwrap();
                assert_eq!(label.2, built("newsletter").consent(locale).0);
            }
        }
    }

    #[test]
    fn form_mode_has_the_email_field_and_a_button_attach_mode_neither() {
        let form = layout(built("newsletter"), Locale::En, false);
        let attach = layout(built("newsletter"), Locale::En, true);
        assert!(form.contains("\"doi-email\"") && form.contains("[\"button\""));
        assert!(!attach.contains("\"doi-email\"") && !attach.contains("[\"button\""));
        assert!(attach.contains("\"doi-email-msg\""));
    }

    #[test]
    fn topics_appear_ticked_only_when_there_is_a_choice() {
        let shown = layout(built("newsletter"), Locale::Ja, false);
        let offered = built("newsletter").topics;
        assert!(offered.len() > 1);
        for (id, name) in offered {
            assert!(shown.contains(&format!("\"value\":\"{id}\",\"checked\":\"\"")));
            assert!(shown.contains(say(name, Locale::Ja)));
        }
    }

    #[test]
    fn text_is_json_escaped_never_markup() {
        let mut hostile = *built("newsletter");
        hostile.title[1] = "<img src=x onerror=alert(1)> \"quoted\" \\";
        hostile.privacy_url = "javascript:alert(1)";
        let shown: Value = serde_json::from_str(&layout(&hostile, Locale::En, false)).unwrap();
        let (_, _, title) = find(&shown, "doi-title");
        assert_eq!(title, hostile.title[1]);
        let text = shown.to_string();
        assert!(!text.contains("javascript:"), "only http(s) links");
    }
}
