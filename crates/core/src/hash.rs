//! SHA-256 digests with meaning: the version of a consent text and the hash
//! of a logged event.

use crate::prelude::*;

use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks(2).enumerate() {
        let v = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        out[i] = v(pair[0])? << 4 | v(pair[1])?;
    }
    Some(out)
}

macro_rules! digest_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// Parses 64 lower-case hex digits.
            pub fn from_hex(s: &str) -> Option<Self> {
                unhex(s).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex(&self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_string())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::from_hex(&s).ok_or_else(|| serde::de::Error::custom("expected 64 lower-case hex digits"))
            }
        }
    };
}

digest_type!(
    /// The version of a consent text: SHA-256 of its exact UTF-8 bytes.
    ///
    /// Evidence names the text a person saw by this version; the text itself
    /// is stored once under its version so old evidence stays readable after
    /// `doi.toml` changes.
    ConsentVersion
);

digest_type!(
    /// SHA-256 of an event's stored bytes: its place in the hash chain.
    EventHash
);

impl ConsentVersion {
    /// The version of `text`, exactly as shown (no trimming, no normalising).
    pub fn of(text: &str) -> Self {
        ConsentVersion(sha256(text.as_bytes()))
    }
}

impl EventHash {
    /// The hash of an event's stored bytes.
    pub fn of(bytes: &[u8]) -> Self {
        EventHash(sha256(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_version_is_sha256_of_the_exact_text() {
        assert_eq!(
            ConsentVersion::of("abc").to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(ConsentVersion::of("abc"), ConsentVersion::of("abc "));
    }

    #[test]
    fn digests_round_trip_through_hex_and_json() {
        let v = ConsentVersion::of("同意します");
        assert_eq!(ConsentVersion::from_hex(&v.to_string()), Some(v));
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(serde_json::from_str::<ConsentVersion>(&json).unwrap(), v);
        assert!(serde_json::from_str::<ConsentVersion>("\"ABC\"").is_err());
        assert_eq!(ConsentVersion::from_hex(&"A".repeat(64)), None);
    }
}
