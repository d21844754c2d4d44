//! Storage behind a small async trait: Workers KV in the Worker
//! (`edge.rs`); in native tests an in-memory map that can be told to fail
//! and counts every operation (what the README's KV budget is checked
//! against), and the same map with KV's staleness between locations
//! ([`StaleStore`]: what the consistency claims are proven against).
//!
//! The trait is the KV model on purpose — get, put (with TTL and metadata),
//! list by prefix with a cursor, delete — so nothing here can promise what
//! KV cannot (no transactions, no atomic increments).

use thiserror::Error;

mod memory;
mod stale;

pub use memory::MemoryStore;
pub use stale::{Clock, Policy, StaleStore, STALE_MS};

/// A storage operation failed; whatever it was for did not happen.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("storage failed: {0}")]
pub struct StoreError(pub String);

/// Options of a put.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutOptions {
    /// Delete the key after this many seconds (KV wants at least 60).
    pub ttl_secs: Option<u64>,
    /// Small JSON returned by `list` beside the key name.
    pub metadata: Option<serde_json::Value>,
}

/// One key from a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedKey {
    /// The key.
    pub name: String,
    /// Its metadata, if it was put with some.
    pub metadata: Option<serde_json::Value>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// Keys in lexicographic order.
    pub keys: Vec<ListedKey>,
    /// Where the next page starts; `None` on the last page.
    pub cursor: Option<String>,
}

/// Most keys one list call returns (KV's limit).
pub const MAX_LIST: usize = 1000;

/// A key-value store with KV's semantics.
// Workers run one request per isolate thread and their futures are not
// `Send`; native tests are single-threaded too. No auto-trait bounds needed.
#[allow(async_fn_in_trait)]
pub trait Store: Clone + 'static {
    /// The value of `key`.
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// The values of several keys, in order (KV reads up to 100 per call).
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.push(self.get(k).await?);
        }
        Ok(out)
    }

    /// Stores `value` under `key`.
    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError>;

    /// Up to `limit` keys starting with `prefix`, from `cursor`.
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listed, StoreError>;

    /// Removes `key` (no error if absent).
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// Every key under `prefix`, following cursors.
pub async fn list_all<S: Store>(store: &S, prefix: &str) -> Result<Vec<ListedKey>, StoreError> {
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list(prefix, cursor.as_deref(), MAX_LIST).await?;
        keys.extend(page.keys);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(keys),
        }
    }
}

/// Operations counted by [`MemoryStore`] (and [`StaleStore`]), as KV bills them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ops {
    /// Reads (each key of a bulk read counts once here; KV bills a bulk call
    /// of up to 100 keys as one).
    pub reads: usize,
    /// Writes.
    pub writes: usize,
    /// List calls.
    pub lists: usize,
    /// Deletes.
    pub deletes: usize,
}

/// The entries of `map` whose key starts with `prefix`, in order.
fn under<'m, V>(
    map: &'m std::collections::BTreeMap<String, V>,
    prefix: &'m str,
) -> impl Iterator<Item = (&'m String, &'m V)> {
    map.range(prefix.to_string()..)
        .take_while(move |(k, _)| k.starts_with(prefix))
}

/// One page of a listing from `keys` (sorted, all under the prefix): those
/// after `cursor`, at most `limit` (clamped to 1..=[`MAX_LIST`]), with a
/// cursor when more follow.
fn page(keys: impl Iterator<Item = ListedKey>, cursor: Option<&str>, limit: usize) -> Listed {
    let limit = limit.clamp(1, MAX_LIST);
    let mut keys: Vec<ListedKey> = keys
        .filter(|k| cursor.is_none_or(|c| k.name.as_str() > c))
        .take(limit + 1)
        .collect();
    let more = keys.len() > limit;
    keys.truncate(limit);
    let cursor = more.then(|| keys.last().map(|k| k.name.clone())).flatten();
    Listed { keys, cursor }
}
