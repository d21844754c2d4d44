//! What goes into every mail: the `List-Unsubscribe` headers (RFC 2369,
//! RFC 8058) and a footer with the sender's name, postal address, contact and
//! the links, as 特定電子メール法 and CAN-SPAM require; and the double opt-in
//! confirmation mail.

use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::html::Escaped;
use crate::id::SubscriberId;
use crate::locale::Locale;
use crate::mailto::mailto_uri;
use crate::slug::{ListId, TopicId};
use crate::text::{t, Msg};
use crate::time::Timestamp;
use crate::token::{Claims, Keyring, Purpose};

/// The value of `List-Unsubscribe-Post` (RFC 8058).
pub const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

/// Everything a sender needs to put the opt-out into one mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailLinks {
    /// One-click unsubscribe URL (also the page people land on).
    pub unsubscribe_url: String,
    /// Preference page URL.
    pub preferences_url: String,
    /// `List-Unsubscribe` header value.
    pub list_unsubscribe: String,
    /// `List-Unsubscribe-Post` header value.
    pub list_unsubscribe_post: String,
    /// Footer as plain text.
    pub footer_text: String,
    /// Footer as HTML (every value escaped).
    pub footer_html: String,
}

/// The origin the links point at, without a trailing slash.
fn base(base_url: &str) -> &str {
    base_url.trim_end_matches('/')
}

/// Who a mail goes to, as far as its links are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The subscriber.
    pub subscriber: SubscriberId,
    /// The list the mail is sent on.
    pub list: ListId,
    /// The topic, when the unsubscribe link should stop only that topic.
    pub topic: Option<TopicId>,
}

/// Links, headers and footer for one recipient, signed with the newest key
/// at `now`.
pub fn links(
    config: &Config,
    keys: &Keyring,
    base_url: &str,
    to: &Recipient,
    locale: Locale,
    now: Timestamp,
) -> MailLinks {
    let claims = |purpose| Claims {
        purpose,
        subscriber: to.subscriber,
        list: to.list.clone(),
        topic: to.topic.clone(),
        issued: now,
    };
    let unsubscribe_url = format!(
        "{}/u/{}",
        base(base_url),
        keys.sign(&claims(Purpose::Unsubscribe))
    );
    let preferences_url = format!(
        "{}/p/{}",
        base(base_url),
        keys.sign(&claims(Purpose::Preferences))
    );
    let mut list_unsubscribe = format!("<{unsubscribe_url}>");
    if let Some(m) = &config.mail.unsubscribe_mailto {
        let token = keys.sign(&claims(Purpose::Mailto));
        list_unsubscribe.push_str(&format!(", <{}>", mailto_uri(m, &token)));
    }
    let (footer_text, footer_html) = footer(config, locale, &unsubscribe_url, &preferences_url);
    MailLinks {
        unsubscribe_url,
        preferences_url,
        list_unsubscribe,
        list_unsubscribe_post: ONE_CLICK.to_string(),
        footer_text,
        footer_html,
    }
}

/// The footer in `locale`: (text, html).
pub fn footer(
    config: &Config,
    locale: Locale,
    unsubscribe_url: &str,
    preferences_url: &str,
) -> (String, String) {
    let s = &config.sender;
    let name = s.name.get(locale);
    let address = s.postal_address.get(locale);
    let contact = s.contact_url.as_deref().unwrap_or(&s.contact_email);
    let why = t(Msg::FooterWhy, locale, &[("sender", name)]);
    // "Lost the mail? Get a link" (`/m`) on the same origin as the links.
    let origin = unsubscribe_url
        .rfind("/u/")
        .map_or("", |i| &unsubscribe_url[..i]);
    let manage_url = format!("{origin}/m?lang={}", locale.tag());
    let text = format!(
        "--\n{why}\n{}: {name}\n{}: {address}\n{}: {contact}\n{}: {unsubscribe_url}\n{}: {preferences_url}\n{}: {manage_url}\n",
        Msg::FooterSender.text(locale),
        Msg::FooterAddress.text(locale),
        Msg::FooterContact.text(locale),
        Msg::FooterUnsubscribe.text(locale),
        Msg::FooterPreferences.text(locale),
        Msg::ManageLink.text(locale),
    );
    let contact_href = match &s.contact_url {
        Some(u) => u.clone(),
        None => format!("mailto:{}", s.contact_email),
    };
    let html = format!(
        "<div lang=\"{lang}\" style=\"font-size:12px;color:#555\"><p>{why}</p><p>{sl}: {name}<br>{al}: {address}<br>{cl}: <a href=\"{ch}\">{contact}</a></p><p><a href=\"{u}\">{ul}</a> | <a href=\"{p}\">{pl}</a> | <a href=\"{m}\">{ml}</a></p></div>",
        lang = locale.tag(),
        why = Escaped(&why),
        sl = Escaped(Msg::FooterSender.text(locale)),
        name = Escaped(name),
        al = Escaped(Msg::FooterAddress.text(locale)),
        address = Escaped(address),
        cl = Escaped(Msg::FooterContact.text(locale)),
        ch = Escaped(&contact_href),
        contact = Escaped(contact),
        u = Escaped(unsubscribe_url),
        ul = Escaped(Msg::FooterUnsubscribe.text(locale)),
        p = Escaped(preferences_url),
        pl = Escaped(Msg::FooterPreferences.text(locale)),
        m = Escaped(&manage_url),
        ml = Escaped(Msg::ManageLink.text(locale)),
    );
    (text, html)
}

/// A mail ready for a delivery method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailMessage {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// The query a "this wasn't me" link adds to an unsubscribe URL, so the
/// unsubscribe it leads to is recorded as `via: not_me`.
pub const NOT_ME_QUERY: &str = "from=not_me";

/// The "this wasn't me" link: `unsubscribe_url` (no query of its own) with
/// [`NOT_ME_QUERY`].
pub fn not_me_url(unsubscribe_url: &str) -> String {
    [unsubscribe_url, "?", NOT_ME_QUERY].concat()
}

/// The double opt-in confirmation mail: a confirm link, and a "this wasn't
/// me" link ([`not_me_url`]) that stops everything, so a mistyped or
/// malicious signup costs the victim one click at most. The footer keeps
/// the plain unsubscribe and preference links.
pub fn confirmation_mail(
    config: &Config,
    locale: Locale,
    confirm_url: &str,
    unsubscribe_url: &str,
    preferences_url: &str,
) -> MailMessage {
    let name = config.sender.name.get(locale);
    let subject = t(Msg::ConfirmMailSubject, locale, &[("sender", name)]);
    let body = t(Msg::ConfirmMailBody, locale, &[("sender", name)]);
    let not_me = Msg::NotMe.text(locale);
    let not_me_url = not_me_url(unsubscribe_url);
    let (footer_text, footer_html) = footer(config, locale, unsubscribe_url, preferences_url);
    // The signed consent record: the preference link's `/r/` page.
    let receipt_url = preferences_url.replacen("/p/", "/r/", 1);
    let receipt = Msg::ReceiptLink.text(locale);
    let text = format!(
        "{body}\n\n{confirm_url}\n\n{not_me}: {not_me_url}\n\n{receipt}: {receipt_url}\n\n{footer_text}"
    );
    let html = format!(
        "<div lang=\"{lang}\"><p>{body}</p><p><a href=\"{c}\">{cl}</a></p><p><a href=\"{u}\">{nm}</a></p><p><a href=\"{r}\">{rl}</a></p>{footer_html}</div>",
        lang = locale.tag(),
        body = Escaped(&body),
        c = Escaped(confirm_url),
        cl = Escaped(Msg::ConfirmButton.text(locale)),
        u = Escaped(&not_me_url),
        nm = Escaped(not_me),
        r = Escaped(&receipt_url),
        rl = Escaped(receipt),
    );
    MailMessage {
        subject,
        text,
        html,
    }
}
