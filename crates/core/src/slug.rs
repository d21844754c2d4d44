//! Names the sender chooses in `doi.toml`: list, topic, frequency and form
//! ids. They appear in URLs, KV keys and tokens, so they are short, lower-case
//! ASCII: `[a-z0-9]` first, then `[a-z0-9_-]`, at most 32 characters.

use crate::prelude::*;

use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest id.
pub const MAX_SLUG: usize = 32;

/// Whether `s` is a valid id.
pub fn is_slug(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_SLUG
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
}

macro_rules! slug_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses an id; `None` unless it is a valid slug.
            pub fn parse(s: &str) -> Option<Self> {
                is_slug(s).then(|| Self(s.to_string()))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "{s:?} is not a valid id: use 1-{MAX_SLUG} characters a-z, 0-9, '-' or '_', starting with a letter or digit"
                    ))
                })
            }
        }
    };
}

slug_type!(
    /// A mailing list, e.g. `newsletter`.
    ListId
);
slug_type!(
    /// A topic within a list, e.g. `product-news`.
    TopicId
);
slug_type!(
    /// A frequency a list offers, e.g. `weekly`.
    FrequencyId
);
slug_type!(
    /// A signup form, e.g. `whitepaper`.
    FormId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_lowercase_ascii() {
        assert!(ListId::parse("newsletter").is_some());
        assert!(TopicId::parse("product-news_2").is_some());
        assert!(ListId::parse("").is_none());
        assert!(ListId::parse("-x").is_none());
        assert!(ListId::parse("News").is_none());
        assert!(ListId::parse("a/b").is_none());
        assert!(ListId::parse(&"a".repeat(33)).is_none());
        assert!(serde_json::from_str::<FormId>("\"ok\"").is_ok());
        assert!(serde_json::from_str::<FormId>("\"no way\"").is_err());
    }
}
