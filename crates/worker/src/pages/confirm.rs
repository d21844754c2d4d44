//! The confirmation page (`/c/{token}`): GET shows a button (mail scanners
//! open links; only a person presses buttons), POST confirms.

use doi_core::html::Escaped;
use doi_core::text::Msg;
use doi_core::{ListId, Status, SubscriberState, Timestamp};

use crate::pages::{standing, Shell};

/// The page with the button.
pub fn ask(shell: &Shell<'_>, action: &str) -> String {
    let main = format!(
        "<p>{}</p><form method=\"post\" action=\"{}\"><button type=\"submit\" class=\"primary\">{}</button></form>",
        Escaped(&shell.with_sender(Msg::ConfirmLead)),
        Escaped(action),
        Escaped(shell.t(Msg::ConfirmButton)),
    );
    shell.page(shell.t(Msg::ConfirmTitle), &main)
}

/// After the button: confirmed, or plainly what is true instead (e.g. the
/// person had already said "this wasn't me").
pub fn done(shell: &Shell<'_>, list: &ListId, state: &SubscriberState, now: Timestamp) -> String {
    let active = state.list(list).is_some_and(|l| l.status == Status::Active);
    let mut main = String::new();
    if active {
        main.push_str(&format!(
            "<p class=\"notice\" role=\"status\">{}</p>",
            Escaped(&shell.with_sender(Msg::Confirmed))
        ));
    }
    main.push_str(&standing::render(shell, list, state, now));
    shell.page(shell.t(Msg::ConfirmTitle), &main)
}
