//! Snapshot writes that never land: the address a signup brought is kept in
//! its event's metadata for export, and an erased subscriber's old event
//! metadata gives no address back.

use doi_core::Timestamp;

use super::*;
use crate::ctx::Ctx;
use crate::store::{Listed, PutOptions, Store, StoreError};
use crate::testing::config as doi_config;

/// The memory store refusing every snapshot write, for good.
#[derive(Clone)]
struct NoSnapshots(MemoryStore);

impl Store for NoSnapshots {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get(key).await
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        self.0.get_many(keys).await
    }

    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError> {
        if key.starts_with("snap/") {
            return Err(StoreError("injected snapshot failure".into()));
        }
        self.0.put(key, value, options).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listed, StoreError> {
        self.0.list(prefix, cursor, limit).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key).await
    }
}

#[test]
fn a_signup_whose_snapshot_never_lands_keeps_its_address_for_export() {
    let w = World::new();
    let email = "lost-snapshot@example.com";
    let req = Request::new(Method::Post, "/v1/subscribe")
        .with_header("content-type", "application/json")
        .with_header("origin", ORIGIN)
        .with_body(record("whitepaper", email, "rec-no-snapshot-0001").to_string());
    let mut c = Ctx::new(
        doi_config(),
        local_secrets(),
        NoSnapshots(w.store.clone()),
        w.net.clone(),
        Timestamp(w.now()),
        [9; 32],
    );
    c.base_url = ORIGIN.into();
    let r = block_on(app::handle(&c, &req));
    assert_eq!(r.status, 200, "{}", r.text());
    // No snapshot was ever written; the cron rebuilds it from the events.
    let sweep = w.settle();
    assert!(sweep.complete && sweep.failed == 0, "{sweep:?}");
    let got = body_json(&w.api(
        Method::Get,
        &format!("/v1/subscribers/{}", w.sid(email)),
        None,
    ));
    assert_eq!(got["email"], email, "{got}");
    let (allowed, _, _) = w.check(email, None);
    assert!(allowed);
}

#[test]
fn an_erased_subscriber_gets_no_address_back_from_old_event_metadata() {
    erasure_leaves_no_address_in_old_event_metadata(&World::new(), |_| {});
}

/// An erasure right after a signup; once `wait` has passed, the sweep
/// finds no address to bring back.
pub(super) fn erasure_leaves_no_address_in_old_event_metadata<S: TestStore>(
    w: &World<S>,
    wait: fn(&World<S>),
) {
    let email = "erase-me@example.com";
    assert_eq!(
        w.subscribe(&record("whitepaper", email, "rec-erase-meta-0001"))
            .status,
        200
    );
    let r = w.api(
        Method::Delete,
        &format!("/v1/subscribers/{}", w.sid(email)),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    wait(w);
    let sweep = w.settle();
    assert!(sweep.complete, "{sweep:?}");
    assert!(!w.everything_visible().contains(email));
}
