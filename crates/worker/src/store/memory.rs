//! The in-memory store of native tests: a map that can be told to fail and
//! counts every operation. [`super::StaleStore`] keeps its newest values
//! here too.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::{page, under, Listed, ListedKey, Ops, PutOptions, Store, StoreError};

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

    /// Fails a list as told, or counts it: for a store that pages keys of
    /// its own over this one's failures and counts.
    pub(super) fn begin_list(&self) -> Result<(), StoreError> {
        if self.read_fails() {
            return Err(StoreError("injected list failure".into()));
        }
        self.0.borrow_mut().ops.lists += 1;
        Ok(())
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
        self.begin_list()?;
        let inner = self.0.borrow();
        let keys = under(&inner.map, prefix).map(|(k, e)| ListedKey {
            name: k.clone(),
            metadata: e.metadata.clone(),
        });
        Ok(page(keys, cursor, limit))
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
    use crate::store::list_all;
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
