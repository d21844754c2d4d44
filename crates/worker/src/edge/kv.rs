//! Workers KV as a [`Store`]: get, bulk get (100 keys a call, billed as
//! one operation), put with TTL and metadata, list with cursor, delete.

use worker::KvStore;

use crate::store::{Listed, ListedKey, PutOptions, Store, StoreError};

/// Workers KV as a [`Store`].
#[derive(Clone)]
pub(super) struct Kv(pub(super) KvStore);

fn kv_error(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

impl Store for Kv {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get(key).text().await.map_err(kv_error)
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        // KV reads up to 100 keys per bulk call, billed as one operation.
        for chunk in keys.chunks(100) {
            let mut found = self.0.get_bulk(chunk).text().await.map_err(kv_error)?;
            out.extend(chunk.iter().map(|k| found.remove(k).flatten()));
        }
        Ok(out)
    }

    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError> {
        let mut put = self.0.put(key, value).map_err(kv_error)?;
        if let Some(ttl) = options.ttl_secs {
            put = put.expiration_ttl(ttl.max(60));
        }
        if let Some(m) = options.metadata {
            put = put.metadata(m).map_err(kv_error)?;
        }
        put.execute().await.map_err(kv_error)
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listed, StoreError> {
        let mut list = self.0.list().prefix(prefix.to_string()).limit(limit as u64);
        if let Some(c) = cursor {
            list = list.cursor(c.to_string());
        }
        let page = list.execute().await.map_err(kv_error)?;
        Ok(Listed {
            keys: page
                .keys
                .into_iter()
                .map(|k| ListedKey {
                    name: k.name,
                    metadata: k.metadata,
                })
                .collect(),
            cursor: if page.list_complete {
                None
            } else {
                page.cursor
            },
        })
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key).await.map_err(kv_error)
    }
}
