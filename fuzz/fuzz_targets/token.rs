//! Token verification: arbitrary text never verifies and never panics; a
//! real token with any byte changed never verifies.
#![no_main]
use doi_core::token::{Claims, Keyring, Purpose};
use doi_core::{ListId, SubscriberId, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keys = Keyring::new(vec![("k1".into(), vec![7; 32]), ("k0".into(), vec![8; 32])]).unwrap();
    if let Ok(s) = std::str::from_utf8(data) {
        for p in [Purpose::Unsubscribe, Purpose::Preferences, Purpose::Confirm] {
            assert!(keys.verify(s, p, Timestamp(0), Some(1)).is_err(), "forged token accepted: {s:?}");
        }
    }
    if data.len() >= 3 {
        let claims = Claims {
            purpose: Purpose::Unsubscribe,
            subscriber: SubscriberId([data[0]; 16]),
            list: ListId::parse("newsletter").unwrap(),
            topic: None,
            issued: Timestamp(u64::from(data[1]) * 1_000),
        };
        let token = keys.sign(&claims);
        let mut bytes = token.into_bytes();
        let i = usize::from(data[2]) % bytes.len();
        let replacement = data.get(3).copied().unwrap_or(b'A');
        if bytes[i] != replacement {
            bytes[i] = replacement;
            if let Ok(altered) = String::from_utf8(bytes) {
                // A different base64 character may decode to the same bytes
                // only in the final character's unused bits: accept that case.
                if let Ok(c) = keys.verify(&altered, Purpose::Unsubscribe, Timestamp(0), None) {
                    assert_eq!(c, claims);
                    assert_eq!(i, altered.len() - 1, "a changed token verified");
                }
            }
        }
    }
});
