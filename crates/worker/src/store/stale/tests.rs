//! The staleness model, pinned down: what a read or a list may see, for
//! how long, and that `Newest` is the memory store.

use serde_json::json;

use super::*;
use crate::store::list_all;
use crate::testing::block_on;

fn put(s: &StaleStore, key: &str, value: &str) {
    block_on(s.put(key, value, PutOptions::default())).unwrap();
}

fn get(s: &StaleStore, key: &str) -> Option<String> {
    block_on(s.get(key)).unwrap()
}

fn names(s: &StaleStore, prefix: &str) -> Vec<String> {
    block_on(list_all(s, prefix))
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect()
}

#[test]
fn a_read_right_after_an_overwrite_may_return_the_old_value_and_must_return_the_new_one_60_s_later()
{
    let s = StaleStore::new();
    put(&s, "k", "old");
    s.advance(STALE_MS);
    put(&s, "k", "new");
    assert_eq!(get(&s, "k").as_deref(), Some("old"));
    s.advance(STALE_MS - 1);
    assert_eq!(get(&s, "k").as_deref(), Some("old"));
    s.advance(1);
    assert_eq!(get(&s, "k").as_deref(), Some("new"));
}

#[test]
fn a_key_created_less_than_60_s_ago_may_still_read_as_absent() {
    let s = StaleStore::new();
    put(&s, "k", "v");
    s.advance(STALE_MS - 1);
    assert_eq!(get(&s, "k"), None);
    assert_eq!(s.peek("k").as_deref(), Some("v"), "peek shows the newest");
}

#[test]
fn a_key_created_10_s_ago_may_be_missing_from_a_list_and_is_listed_61_s_later() {
    let s = StaleStore::new();
    put(&s, "a/old", "v");
    s.advance(STALE_MS);
    put(&s, "a/new", "v");
    s.advance(10_000);
    assert_eq!(names(&s, "a/"), ["a/old"]);
    s.advance(51_000);
    assert_eq!(names(&s, "a/"), ["a/new", "a/old"]);
}

#[test]
fn a_deleted_key_may_still_be_read_and_listed_for_up_to_60_s() {
    let s = StaleStore::new();
    put(&s, "a/k", "v");
    s.advance(STALE_MS);
    block_on(s.delete("a/k")).unwrap();
    assert!(s.keys().is_empty(), "keys are the newest");
    s.advance(STALE_MS - 1);
    assert_eq!(get(&s, "a/k").as_deref(), Some("v"));
    assert_eq!(names(&s, "a/"), ["a/k"]);
    s.advance(1);
    assert_eq!(get(&s, "a/k"), None);
    assert!(names(&s, "a/").is_empty());
}

#[test]
fn a_listing_shows_the_metadata_of_a_value_held_in_the_last_60_s() {
    let s = StaleStore::new();
    let with = |n: u64| PutOptions {
        ttl_secs: None,
        metadata: Some(json!({ "n": n })),
    };
    block_on(s.put("snap/x", "1", with(1))).unwrap();
    s.advance(STALE_MS);
    block_on(s.put("snap/x", "2", with(2))).unwrap();
    let listed = block_on(s.list("snap/", None, 10)).unwrap();
    assert_eq!(listed.keys[0].metadata, Some(json!({ "n": 1 })));
    s.set_policy(Policy::Newest);
    let listed = block_on(s.list("snap/", None, 10)).unwrap();
    assert_eq!(listed.keys[0].metadata, Some(json!({ "n": 2 })));
}

#[test]
fn cursors_page_correctly_while_keys_are_hidden() {
    let s = StaleStore::new();
    for k in ["a/1", "a/3", "a/5", "b/1"] {
        put(&s, k, "v");
    }
    s.advance(STALE_MS);
    for k in ["a/2", "a/4"] {
        put(&s, k, "v");
    }
    let first = block_on(s.list("a/", None, 2)).unwrap();
    let got: Vec<_> = first.keys.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(got, ["a/1", "a/3"]);
    let rest = block_on(s.list("a/", first.cursor.as_deref(), 2)).unwrap();
    let got: Vec<_> = rest.keys.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(got, ["a/5"]);
    assert_eq!(rest.cursor, None);
}

#[test]
fn random_reads_return_only_values_held_in_the_last_60_s_the_same_for_a_seed() {
    let reads = |seed: u64| {
        let s = StaleStore::new();
        s.set_policy(Policy::Random(seed));
        put(&s, "k", "0");
        s.advance(STALE_MS);
        for v in ["1", "2", "3"] {
            s.advance(20_000);
            put(&s, "k", v);
        }
        // 60 s after "0" was overwritten: "1", "2" and "3" remain.
        s.advance(20_000);
        (0..200).map(|_| get(&s, "k").unwrap()).collect::<Vec<_>>()
    };
    let seen = reads(7);
    assert_eq!(seen, reads(7));
    let mut kinds = seen.clone();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, ["1", "2", "3"]);
    assert_ne!(seen, reads(8));
}

#[test]
fn newest_behaves_exactly_like_the_memory_store() {
    let stale = StaleStore::new();
    stale.set_policy(Policy::Newest);
    let memory = MemoryStore::new();
    block_on(async {
        for (i, k) in ["a/3", "a/1", "a/2", "b/1", "a/1"].iter().enumerate() {
            let options = PutOptions {
                ttl_secs: Some(60),
                metadata: Some(json!({ "i": i })),
            };
            stale.put(k, &i.to_string(), options.clone()).await.unwrap();
            memory.put(k, &i.to_string(), options).await.unwrap();
            stale.advance(1_000);
        }
        stale.delete("a/2").await.unwrap();
        memory.delete("a/2").await.unwrap();
        for k in ["a/1", "a/2", "a/3", "zz"] {
            assert_eq!(stale.get(k).await, memory.get(k).await, "{k}");
        }
        let keys: Vec<String> = ["a/1", "a/3"].map(String::from).to_vec();
        assert_eq!(stale.get_many(&keys).await, memory.get_many(&keys).await);
        let (mut a, mut b) = (None, None);
        loop {
            let x = stale.list("a/", a.as_deref(), 1).await.unwrap();
            let y = memory.list("a/", b.as_deref(), 1).await.unwrap();
            assert_eq!(x, y);
            if x.cursor.is_none() {
                break;
            }
            (a, b) = (x.cursor, y.cursor);
        }
    });
    assert_eq!(stale.ops(), memory.ops());
    assert_eq!(stale.keys(), memory.keys());
    assert_eq!(stale.ttl_of("a/1"), memory.ttl_of("a/1"));
}

#[test]
fn every_operation_is_counted_and_fails_as_told() {
    let s = StaleStore::new();
    put(&s, "ev/x", "v");
    get(&s, "ev/x");
    block_on(s.get_many(&["ev/x".into(), "ev/y".into()])).unwrap();
    block_on(s.list("ev/", None, 10)).unwrap();
    block_on(s.delete("ev/x")).unwrap();
    let ops = s.ops();
    assert_eq!(
        (ops.writes, ops.reads, ops.lists, ops.deletes),
        (1, 3, 1, 1)
    );
    s.fail_writes_to("ev/");
    assert!(block_on(s.put("ev/x", "w", PutOptions::default())).is_err());
    assert_eq!(s.peek("ev/x"), None, "a failed write is not recorded");
    s.advance(STALE_MS);
    assert_eq!(get(&s, "ev/x"), None);
    s.fail_reads();
    assert!(block_on(s.get("ev/x")).is_err());
    assert!(block_on(s.list("ev/", None, 10)).is_err());
    s.heal();
    put(&s, "ev/x", "w");
    assert_eq!(s.ops().writes, 2);
}

#[test]
fn clones_share_the_clock_and_the_writes() {
    let s = StaleStore::with_clock(Clock::at(5_000));
    let other = s.clone();
    other.advance(1_000);
    assert_eq!(s.now(), 6_000);
    s.set(10);
    assert_eq!(other.clock().now(), 10);
    put(&other, "k", "v");
    assert_eq!(s.peek("k").as_deref(), Some("v"));
}
