//! doi-core: the consent domain of Dōi, decided once and tested here.
//!
//! Everything that can be decided without I/O lives in this crate: parsing an
//! email address, deriving a subscriber id, loading and validating `doi.toml`,
//! the append-only event log and its hash chain, folding events to a
//! subscription state, the `may_send` decision, signed links, mail headers and
//! footers, and the Japanese/English text catalogue.
//!
//! This crate must never do I/O, read a clock or make randomness: callers pass
//! time ([`Timestamp`]) and ids in. That keeps every rule testable natively and
//! lets the same code run in the browser widget and in the Worker.
//!
//! It needs no `std`, only `alloc`: the widget builds it without `std`, so
//! that no formatting or panic machinery it cannot use reaches every
//! visitor's download. `Config::from_toml` needs the `toml` feature (on by
//! default).
#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

/// What `std`'s prelude would bring, from `alloc`.
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

pub mod config;
pub mod consent;
// The sender's console (issue 13).
pub mod console;
pub mod decision;
pub mod email;
pub mod event;
pub mod fold;
pub mod form;
pub mod hash;
pub mod html;
pub mod id;
pub mod import;
pub mod ledger;
pub mod lifecycle;
pub mod limits;
pub mod locale;
pub mod mail;
pub mod mailto;
pub mod manage;
pub mod origin;
pub mod preferences;
pub mod provider;
mod punycode;
pub mod receipt;
pub mod retention;
pub mod signup;
pub mod slug;
pub mod text;
pub mod time;
pub mod token;
pub mod turnstile;
pub mod withdrawal;

pub use config::{Config, ConfigError};
pub use decision::{may_send, may_send_within, Decision, Reason, SendRequest};
pub use email::{Email, EmailError};
pub use event::{Event, EventId, EventKind, Evidence, Method, OptIn, UnsubscribeScope, Via};
pub use fold::{fold, ListState, Status, SubscriberState, Withdrawal};
pub use hash::{ConsentVersion, EventHash};
pub use id::{IdKey, SubscriberId};
pub use ledger::{ChainError, LoggedEvent};
pub use locale::Locale;
pub use slug::{FormId, FrequencyId, ListId, TopicId};
pub use time::Timestamp;
pub use token::{Claims, Keyring, Purpose, TokenError};
