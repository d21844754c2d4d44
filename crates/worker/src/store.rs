//! Storage behind a small async trait: Workers KV in the Worker
//! (`edge.rs`), an in-memory map in native tests that can be told to
//! fail and counts every operation (what the README's KV budget is checked
//! against).
//!
//! The trait is the KV model on purpose — get, put (with TTL and metadata),
//! list by prefix with a cursor, delete — so nothing here can promise what
//! KV cannot (no transactions, no atomic increments).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use thiserror::Error;

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

/// Operations counted by [`MemoryStore`], as KV bills them.
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

#[derive(Debug, Clone)]
struct Entry {
    value: String,
    metadata: Option<serde_json::Value>,
    ttl_secs: Option<u64>,
}

#[derive(Debug, Default)]
struct Inner {
    map: BTreeMap<String, Entry>,
    failing_writes: Vec<String>,
    failing_reads: bool,
    ops: Ops,
}

/// An in-memory store for native tests. Clones share the same map.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore(Rc<RefCell<Inner>>);

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Makes every write (put or delete) to a key starting with `prefix` fail.
    /// `""` fails every write.
    pub fn fail_writes_to(&self, prefix: &str) {
        self.0.borrow_mut().failing_writes.push(prefix.to_string());
    }

    /// Makes every read and list fail too.
    pub fn fail_reads(&self) {
        self.0.borrow_mut().failing_reads = true;
    }

    /// Ends every injected failure.
    pub fn heal(&self) {
        let mut inner = self.0.borrow_mut();
        inner.failing_writes.clear();
        inner.failing_reads = false;
    }

    /// Operations so far.
    pub fn ops(&self) -> Ops {
        self.0.borrow().ops
    }

    /// Every key, sorted.
    pub fn keys(&self) -> Vec<String> {
        self.0.borrow().map.keys().cloned().collect()
    }

    /// A value, without counting a read.
    pub fn peek(&self, key: &str) -> Option<String> {
        self.0.borrow().map.get(key).map(|e| e.value.clone())
    }

    /// The TTL a key was put with.
    pub fn ttl_of(&self, key: &str) -> Option<u64> {
        self.0.borrow().map.get(key).and_then(|e| e.ttl_secs)
    }

    /// Removes a key behind the app's back (simulates a lost snapshot).
    pub fn remove(&self, key: &str) {
        self.0.borrow_mut().map.remove(key);
    }

    fn write_fails(&self, key: &str) -> bool {
        self.0
            .borrow()
            .failing_writes
            .iter()
            .any(|p| key.starts_with(p.as_str()))
    }

    fn read_fails(&self) -> bool {
        self.0.borrow().failing_reads
    }
}

impl Store for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        if self.read_fails() {
            return Err(StoreError("injected read failure".into()));
        }
        let mut inner = self.0.borrow_mut();
        inner.ops.reads += 1;
        Ok(inner.map.get(key).map(|e| e.value.clone()))
    }

    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError> {
        if self.write_fails(key) {
            return Err(StoreError(format!("injected write failure at {key}")));
        }
        let mut inner = self.0.borrow_mut();
        inner.ops.writes += 1;
        inner.map.insert(
            key.to_string(),
            Entry {
                value: value.to_string(),
                metadata: options.metadata,
                ttl_secs: options.ttl_secs,
            },
        );
        Ok(())
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listed, StoreError> {
        if self.read_fails() {
            return Err(StoreError("injected list failure".into()));
        }
        let mut inner = self.0.borrow_mut();
        inner.ops.lists += 1;
        let limit = limit.clamp(1, MAX_LIST);
        let mut keys: Vec<ListedKey> = inner
            .map
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(k, _)| cursor.is_none_or(|c| k.as_str() > c))
            .take(limit + 1)
            .map(|(k, e)| ListedKey {
                name: k.clone(),
                metadata: e.metadata.clone(),
            })
            .collect();
        let more = keys.len() > limit;
        keys.truncate(limit);
        let cursor = more.then(|| keys.last().map(|k| k.name.clone())).flatten();
        Ok(Listed { keys, cursor })
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if self.write_fails(key) {
            return Err(StoreError(format!("injected delete failure at {key}")));
        }
        let mut inner = self.0.borrow_mut();
        inner.ops.deletes += 1;
        inner.map.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::block_on;

    #[test]
    fn listing_pages_through_a_prefix_in_order() {
        let s = MemoryStore::new();
        block_on(async {
            for k in ["a/3", "a/1", "a/2", "b/1"] {
                s.put(k, "v", PutOptions::default()).await.unwrap();
            }
            let first = s.list("a/", None, 2).await.unwrap();
            let names: Vec<_> = first.keys.iter().map(|k| k.name.as_str()).collect();
            assert_eq!(names, ["a/1", "a/2"]);
            let rest = s.list("a/", first.cursor.as_deref(), 2).await.unwrap();
            assert_eq!(rest.keys.len(), 1);
            assert_eq!(rest.cursor, None);
            assert_eq!(list_all(&s, "a/").await.unwrap().len(), 3);
        });
    }

    #[test]
    fn injected_failures_fail_only_what_they_name() {
        let s = MemoryStore::new();
        s.fail_writes_to("ev/");
        block_on(async {
            assert!(s.put("ev/x", "v", PutOptions::default()).await.is_err());
            assert!(s.put("snap/x", "v", PutOptions::default()).await.is_ok());
            s.heal();
            assert!(s.put("ev/x", "v", PutOptions::default()).await.is_ok());
        });
        assert_eq!(s.ops().writes, 2);
    }
}
