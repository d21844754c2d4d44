//! The console's token sign-in: a session cookie that is an HMAC-signed
//! expiry (no KV write), and a CSRF token bound to the session (or, behind
//! Cloudflare Access, to the signed-in identity) that every form which
//! changes something must carry.
//!
//! Cookie value: `v1.{expires_ms}.{nonce}.{mac}`, `mac` = base64url of
//! HMAC-SHA256(key, "doi console session v1\0" ‖ expires ‖ "." ‖ nonce).
//! The key is derived by the caller from the API token, so replacing the
//! token ends every session.

use crate::prelude::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::time::{Timestamp, HOUR};

/// How long a session lasts: a working day.
pub const SESSION_TTL_MS: u64 = 8 * HOUR;

/// The cookie's name.
pub const COOKIE: &str = "doi_console";

fn mac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// A new session value that expires `SESSION_TTL_MS` after `now`; `nonce`
/// is fresh randomness from the caller (it tells two sign-ins apart).
pub fn issue(key: &[u8; 32], now: Timestamp, nonce: &[u8]) -> String {
    let expires = now.plus(SESSION_TTL_MS).millis().to_string();
    let nonce = URL_SAFE_NO_PAD.encode(nonce);
    let tag = mac(
        key,
        &[
            b"doi console session v1\0",
            expires.as_bytes(),
            b".",
            nonce.as_bytes(),
        ],
    );
    format!("v1.{expires}.{nonce}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// Whether `value` is a session this key issued that has not expired.
pub fn valid(key: &[u8; 32], value: &str, now: Timestamp) -> bool {
    let mut parts = value.split('.');
    let (Some("v1"), Some(expires), Some(nonce), Some(tag), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let Ok(at) = expires.parse::<u64>() else {
        return false;
    };
    let Ok(given) = URL_SAFE_NO_PAD.decode(tag) else {
        return false;
    };
    let want = mac(
        key,
        &[
            b"doi console session v1\0",
            expires.as_bytes(),
            b".",
            nonce.as_bytes(),
        ],
    );
    let same: bool = want.as_slice().ct_eq(given.as_slice()).into();
    same && now.millis() < at && at <= now.plus(SESSION_TTL_MS).millis()
}

/// The CSRF token of whoever `subject` names: a session value, or
/// `access:` and the Access identity's `sub`.
pub fn csrf(key: &[u8; 32], subject: &str) -> String {
    let tag = mac(key, &[b"doi console csrf v1\0", subject.as_bytes()]);
    URL_SAFE_NO_PAD.encode(&tag[..18])
}

/// Whether a form's `given` CSRF token is `subject`'s (constant time).
pub fn csrf_ok(key: &[u8; 32], subject: &str, given: &str) -> bool {
    let want = csrf(key, subject);
    !given.is_empty() && bool::from(want.as_bytes().ct_eq(given.as_bytes()))
}

/// The session cookie's value in a `Cookie` header, if any.
pub fn from_cookie_header(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name.trim() == COOKIE).then(|| value.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn a_session_is_valid_until_it_expires_and_not_after() {
        let now = Timestamp(1_800_000_000_000);
        let s = issue(&KEY, now, b"nonce");
        assert!(valid(&KEY, &s, now));
        assert!(valid(&KEY, &s, now.plus(SESSION_TTL_MS - 1)));
        assert!(!valid(&KEY, &s, now.plus(SESSION_TTL_MS)));
    }

    #[test]
    fn a_session_from_another_key_or_with_a_changed_expiry_is_refused() {
        let now = Timestamp(1_800_000_000_000);
        let s = issue(&KEY, now, b"n");
        assert!(!valid(&[8; 32], &s, now));
        let parts: Vec<&str> = s.split('.').collect();
        let later = format!(
            "v1.{}.{}.{}",
            now.plus(HOUR * 100).millis(),
            parts[2],
            parts[3]
        );
        assert!(!valid(&KEY, &later, now));
        assert!(!valid(&KEY, "", now));
        assert!(!valid(&KEY, "v1.1.2", now));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(
            from_cookie_header("a=1; doi_console=v1.x; b=2"),
            Some("v1.x")
        );
        assert_eq!(from_cookie_header("doi_consolex=1"), None);
    }

    proptest! {
        #[test]
        fn any_changed_character_breaks_a_session(i in 0usize..80, c in proptest::char::range('0', 'z')) {
            let now = Timestamp(1_800_000_000_000);
            let s = issue(&KEY, now, b"abc");
            let mut chars: Vec<char> = s.chars().collect();
            let i = i % chars.len();
            prop_assume!(chars[i] != c);
            chars[i] = c;
            let changed: String = chars.into_iter().collect();
            prop_assert!(!valid(&KEY, &changed, now));
        }

        #[test]
        fn a_csrf_token_belongs_to_one_subject(a in "[a-z0-9.]{1,40}", b in "[a-z0-9.]{1,40}") {
            prop_assert!(csrf_ok(&KEY, &a, &csrf(&KEY, &a)));
            prop_assert_eq!(csrf_ok(&KEY, &b, &csrf(&KEY, &a)), a == b);
            prop_assert!(!csrf_ok(&KEY, &a, ""));
        }
    }
}
