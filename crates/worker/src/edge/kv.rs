//! Workers KV as a [`Store`]: get, bulk get (100 keys a call, billed as
//! one operation), put with TTL and metadata, list with cursor, delete.
//! `get` and `put`, the calls of every hot route (the unsubscribe page,
//! one-click, sign-up), go to the namespace object in one call each; the
//! rest through workers-rs's `KvStore`, made when first needed (making one
//! reads the binding and five of its methods across the JS boundary, and
//! workers-rs builds each call's options object field by field).

use std::cell::OnceCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use worker::{Env, KvStore};

use super::KV_BINDING;
use crate::store::{Listed, ListedKey, PutOptions, Store, StoreError};

#[wasm_bindgen(inline_js = r#"
export function kvGet(namespace, key) {
  return namespace.get(key);
}
export function kvPut(namespace, key, value, ttl, metadata) {
  const options = {};
  if (ttl !== undefined) options.expirationTtl = ttl;
  if (metadata !== undefined) options.metadata = JSON.parse(metadata);
  return namespace.put(key, value, options);
}
"#)]
extern "C" {
    /// `namespace.get(key)`: a promise of the text, or `null`.
    #[wasm_bindgen(catch, js_name = kvGet)]
    fn kv_get(namespace: &JsValue, key: &str) -> Result<js_sys::Promise, JsValue>;

    /// `namespace.put(key, value, {expirationTtl, metadata})`.
    #[wasm_bindgen(catch, js_name = kvPut)]
    fn kv_put(
        namespace: &JsValue,
        key: &str,
        value: &str,
        ttl: Option<f64>,
        metadata: Option<String>,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// Workers KV as a [`Store`].
#[derive(Clone)]
pub(super) struct Kv {
    /// `env.DOI_KV`.
    namespace: JsValue,
    env: Env,
    /// workers-rs's wrapper, made on first use (shared by the clones).
    store: Rc<OnceCell<KvStore>>,
}

impl Kv {
    /// The namespace bound as [`KV_BINDING`], if there is one.
    pub(super) fn from_env(env: &Env) -> Option<Kv> {
        let namespace = js_sys::Reflect::get(env, &JsValue::from_str(KV_BINDING)).ok()?;
        (!namespace.is_undefined() && !namespace.is_null()).then(|| Kv {
            namespace,
            env: env.clone(),
            store: Rc::default(),
        })
    }

    fn store(&self) -> Result<KvStore, StoreError> {
        if let Some(store) = self.store.get() {
            return Ok(store.clone());
        }
        let store = self.env.kv(KV_BINDING).map_err(kv_error)?;
        let _ = self.store.set(store.clone());
        Ok(store)
    }
}

fn kv_error(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// A rejection from the runtime as a [`StoreError`].
fn js_error(e: &JsValue) -> StoreError {
    StoreError(
        js_sys::Reflect::get(e, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| format!("{e:?}")),
    )
}

impl Store for Kv {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let promise = kv_get(&self.namespace, key).map_err(|e| js_error(&e))?;
        let value = JsFuture::from(promise).await.map_err(|e| js_error(&e))?;
        Ok(value.as_string())
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let store = self.store()?;
        let mut out = Vec::with_capacity(keys.len());
        // KV reads up to 100 keys per bulk call, billed as one operation.
        for chunk in keys.chunks(100) {
            let mut found = store.get_bulk(chunk).text().await.map_err(kv_error)?;
            out.extend(chunk.iter().map(|k| found.remove(k).flatten()));
        }
        Ok(out)
    }

    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError> {
        // KV wants a TTL of at least 60 s.
        let ttl = options.ttl_secs.map(|ttl| ttl.max(60) as f64);
        let metadata = options.metadata.map(|m| m.to_string());
        let promise =
            kv_put(&self.namespace, key, value, ttl, metadata).map_err(|e| js_error(&e))?;
        JsFuture::from(promise)
            .await
            .map(|_| ())
            .map_err(|e| js_error(&e))
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listed, StoreError> {
        let mut list = self
            .store()?
            .list()
            .prefix(prefix.to_string())
            .limit(limit as u64);
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
        self.store()?.delete(key).await.map_err(kv_error)
    }
}
