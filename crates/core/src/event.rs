//! Events: the append-only record of everything a subscriber said.
//!
//! Every change of consent is an event, written once and never edited. State
//! is derived from events ([`mod@crate::fold`]), never stored as the truth.
//! Each event names the hashes of the events its writer had seen (its
//! parents), so the log is a small hash DAG: tamper-evident, and two writers
//! racing on the same subscriber both keep their event (see [`crate::ledger`]).

use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::hash::{ConsentVersion, EventHash};
use crate::id::SubscriberId;
use crate::locale::Locale;
use crate::slug::{FormId, FrequencyId, ListId, TopicId};
use crate::time::Timestamp;

/// An event's id. For a signup it is the widget's record id, so a retried
/// submission maps to the same event; the Worker makes random ids for the rest.
/// 16 to 64 characters of `[A-Za-z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct EventId(String);

impl EventId {
    /// Parses an id; `None` unless 16-64 characters of `[A-Za-z0-9_-]`.
    pub fn parse(s: &str) -> Option<EventId> {
        let ok = (16..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| EventId(s.to_string()))
    }

    /// An id from 16 random bytes the caller made (as base64url).
    pub fn from_random(bytes: [u8; 16]) -> EventId {
        use base64::Engine;
        EventId(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The id a change derives from what it is about, so that the same
    /// change made twice is one event: SHA-256 over `domain` (what kind of
    /// change, e.g. `b"doi confirm v1"`) and `parts`, each length-prefixed,
    /// cut to 16 bytes.
    pub fn derive(domain: &[u8], parts: &[&[u8]]) -> EventId {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(domain);
        h.update([0]);
        for p in parts {
            h.update((p.len() as u64).to_be_bytes());
            h.update(p);
        }
        let digest = h.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        EventId::from_random(bytes)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EventId::parse(&s).ok_or_else(|| {
            serde::de::Error::custom("an id must be 16-64 characters of A-Z, a-z, 0-9, '-' or '_'")
        })
    }
}

/// How consent was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The embedded widget's own form.
    Widget,
    /// The embedded widget in attach mode: its consent box in the site's
    /// own form.
    WidgetAttach,
    /// The hosted signup page.
    HostedPage,
    /// The preference page's resubscribe button.
    PreferencePage,
    /// The re-permission page's "keep sending" button (`/n/{token}`).
    RenewalPage,
    /// Imported from the sender's earlier records.
    Import,
    /// Recorded by the sender through the API.
    Api,
}

/// How far an imported consent was proven by the sender's earlier system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptIn {
    /// The person ticked a box; the address was not proven.
    Single,
    /// The person confirmed by a link sent to the address.
    Confirmed,
    /// The sender attests consent without a record of how (a legacy list).
    ImportedAttested,
}

/// Proof of consent: what 特定電子メール法 and GDPR art. 7 ask a sender to be
/// able to show. The server time is the event's time; the text itself is
/// stored once under its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// How consent was given.
    pub method: Method,
    /// The form, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FormId>,
    /// The version (SHA-256) of the exact consent text shown.
    pub consent_version: ConsentVersion,
    /// The language the text was shown in.
    pub locale: Locale,
    /// The page the form was on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// The person's clock when they submitted (the server's is the event time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_time: Option<Timestamp>,
    /// The browser, as it named itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// For imports: where the sender's record came from (system, file, date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// For imports: how the earlier system recorded the opt-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_in: Option<OptIn>,
}

/// What an unsubscribe covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum UnsubscribeScope {
    /// Every list of this sender, now and later.
    All,
    /// One list.
    List {
        /// The list.
        list: ListId,
    },
    /// One topic of one list.
    Topic {
        /// The list.
        list: ListId,
        /// The topic.
        topic: TopicId,
    },
    /// One frequency of one list ("not the weekly issue").
    Frequency {
        /// The list.
        list: ListId,
        /// The frequency.
        frequency: FrequencyId,
    },
}

impl UnsubscribeScope {
    /// The list it is confined to; `None` for everything.
    pub fn list(&self) -> Option<&ListId> {
        match self {
            UnsubscribeScope::All => None,
            UnsubscribeScope::List { list }
            | UnsubscribeScope::Topic { list, .. }
            | UnsubscribeScope::Frequency { list, .. } => Some(list),
        }
    }

    /// Whether it stops all mail of `list` (not only a topic or frequency).
    pub fn stops_list(&self, list: &ListId) -> bool {
        match self {
            UnsubscribeScope::All => true,
            UnsubscribeScope::List { list: l } => l == list,
            _ => false,
        }
    }
}

/// Through what an unsubscribe came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// RFC 8058 one-click POST from a mail client.
    OneClick,
    /// The hosted unsubscribe or preference page.
    Page,
    /// A mail to the `List-Unsubscribe` mailto address.
    Mailto,
    /// "This wasn't me" in a confirmation mail.
    NotMe,
    /// The sender's API.
    Api,
    /// A spam complaint (feedback loop).
    Complaint,
    /// A hard bounce.
    Bounce,
    /// Blocked by the sender by hand (console or API).
    Manual,
    /// The person's data was erased on request.
    Erasure,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// Consent given. With double opt-in it waits for [`EventKind::Confirmed`].
    /// Never lifts an earlier unsubscribe: that takes [`EventKind::Resubscribed`].
    Subscribed {
        /// The list.
        list: ListId,
        /// Topics chosen (never "all": a list with topics names them).
        topics: Vec<TopicId>,
        /// Frequency chosen, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        frequency: Option<FrequencyId>,
        /// Waits for confirmation.
        double_opt_in: bool,
        /// The proof.
        evidence: Evidence,
    },
    /// The person confirmed a double opt-in signup.
    Confirmed {
        /// The list.
        list: ListId,
        /// When the confirmation link was issued: a link older than the
        /// pending consent confirms nothing (it was for an earlier signup).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link_issued: Option<Timestamp>,
    },
    /// Topics, frequency or pause changed on the preference page.
    PreferencesChanged {
        /// The list.
        list: ListId,
        /// Topics now wanted (all that the person keeps).
        topics: Vec<TopicId>,
        /// Frequency now wanted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        frequency: Option<FrequencyId>,
        /// No mail until then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        paused_until: Option<Timestamp>,
    },
    /// Consent withdrawn.
    Unsubscribed {
        /// What it covers.
        #[serde(flatten)]
        scope: UnsubscribeScope,
        /// Through what.
        via: Via,
        /// Optional reason the person gave.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Fresh consent after an unsubscribe, with new evidence.
    Resubscribed {
        /// The list.
        list: ListId,
        /// Topics chosen (never "all": a list with topics names them).
        topics: Vec<TopicId>,
        /// Frequency chosen, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        frequency: Option<FrequencyId>,
        /// Waits for confirmation.
        double_opt_in: bool,
        /// The fresh proof.
        evidence: Evidence,
    },
    /// The person renewed a consent in force (the re-permission page):
    /// fresh evidence, the same topics and frequency. Applies only to a
    /// list they are active on; never lifts a withdrawal.
    Renewed {
        /// The list.
        list: ListId,
        /// The fresh proof.
        evidence: Evidence,
    },
    /// A reason the person gave for leaving, after the fact. It is only a
    /// reason: it changes nothing about what they receive.
    ReasonGiven {
        /// One of the page's reason codes.
        reason: String,
    },
    /// Personal data erased on request; the subscriber stays suppressed.
    Erased,
}

impl EventKind {
    /// Whether this event can only take consent away (never grant it).
    pub fn is_withdrawal(&self) -> bool {
        matches!(self, EventKind::Unsubscribed { .. } | EventKind::Erased)
    }
}

/// One entry in a subscriber's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique per subscriber; the same id twice is the same event.
    pub id: EventId,
    /// Server time.
    pub at: Timestamp,
    /// Whose log.
    pub subscriber: SubscriberId,
    /// Hashes of the events the writer had seen with no successor (the heads).
    pub parents: Vec<EventHash>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_bounded_url_safe_text() {
        assert!(EventId::parse("abcdefghijklmnop").is_some());
        assert!(EventId::parse("short").is_none());
        assert!(EventId::parse(&"a".repeat(65)).is_none());
        assert!(EventId::parse("abcdefghijklmno/").is_none());
        assert_eq!(EventId::from_random([0; 16]).as_str().len(), 22);
        let a = EventId::derive(b"test", &[b"ab", b"c"]);
        assert_eq!(a, EventId::derive(b"test", &[b"ab", b"c"]));
        assert_ne!(
            a,
            EventId::derive(b"test", &[b"a", b"bc"]),
            "parts are framed"
        );
        assert_ne!(a, EventId::derive(b"other", &[b"ab", b"c"]));
    }

    #[test]
    fn events_serialise_with_a_readable_type_tag() {
        let e = Event {
            id: EventId::from_random([1; 16]),
            at: Timestamp(5),
            subscriber: crate::id::SubscriberId([2; 16]),
            parents: vec![],
            kind: EventKind::Unsubscribed {
                scope: UnsubscribeScope::All,
                via: Via::OneClick,
                reason: None,
            },
        };
        let json = serde_json::to_string(&e).unwrap();
        assert!(
            json.contains(r#""type":"unsubscribed","scope":"all","via":"one_click""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }
}
