//! "Lost the mail? Get a link" (`/m`): one address field, and one answer
//! for every address (the page never says whether it is known).

use doi_core::html::Escaped;
use doi_core::text::Msg;

use crate::pages::Shell;

/// The form, fresh or with a problem in the address.
pub fn ask(shell: &Shell<'_>, action: &str, typed: &str, problem: Option<&str>) -> String {
    let mut main = String::new();
    if let Some(p) = problem {
        main.push_str(&format!(
            "<p class=\"problem\" role=\"alert\" id=\"problem\">{}</p>",
            Escaped(p)
        ));
    }
    let described = if problem.is_some() {
        " aria-describedby=\"problem\" aria-invalid=\"true\""
    } else {
        ""
    };
    main.push_str(&format!(
        "<p>{lead}</p><form method=\"post\" action=\"{action}\">\
<label for=\"email\">{label}</label>\
<input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"email\" required value=\"{typed}\"{described}>\
<div class=\"hp\" aria-hidden=\"true\"><label for=\"website\">{hp}</label>\
<input type=\"text\" id=\"website\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\"></div>\
<p><button type=\"submit\" class=\"primary\">{button}</button></p></form>",
        lead = Escaped(&shell.with_sender(Msg::ManageLead)),
        action = Escaped(action),
        label = Escaped(shell.t(Msg::EmailLabel)),
        typed = Escaped(typed),
        hp = Escaped(shell.t(Msg::HoneypotLabel)),
        button = Escaped(shell.t(Msg::ManageButton)),
    ));
    shell.page(shell.t(Msg::ManageTitle), &main)
}

/// The one answer.
pub fn sent(shell: &Shell<'_>) -> String {
    shell.message_with_title(shell.t(Msg::ManageTitle), shell.t(Msg::ManageSent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use doi_core::Locale;

    #[test]
    fn the_form_escapes_what_was_typed_and_posts_to_itself() {
        let shell = Shell {
            config: crate::pages::tests::config(),
            locale: Locale::En,
        };
        let html = ask(&shell, "/m?lang=en", "\"><script>", Some("bad"));
        assert!(html.contains("<form method=\"post\" action=\"/m?lang=en\">"));
        assert!(!html.contains("\"><script>"));
        assert!(html.contains("role=\"alert\""));
    }
}
