//! Two requests for the same subscriber at the same moment, interleaved at
//! every KV operation in many different orders: a one-click unsubscribe
//! and a preference save. Both events survive, the answer is "no mail" at
//! once, and the snapshot converges — also when KV refuses a second write
//! to the same key within a second (its per-key rate limit: then within the
//! retries a second or so after the response).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use doi_core::Timestamp;

use super::*;
use crate::ctx::Ctx;
use crate::store::{Listed, PutOptions, Store, StoreError};
use crate::testing::config as doi_config;

pub(super) const WHO: &str = "racer@example.com";

/// The memory store, but every operation first yields once, so two
/// requests polled in turn interleave at KV operations as they can in a
/// Worker. With `throttle`, a second write to a key in the same "second"
/// fails as KV's per-key limit does (until [`Interleaved::next_second`]).
#[derive(Clone)]
pub(super) struct Interleaved<S> {
    inner: S,
    throttle: bool,
    written_this_second: Rc<RefCell<BTreeSet<String>>>,
}

impl<S> Interleaved<S> {
    fn next_second(&self) {
        self.written_this_second.borrow_mut().clear();
    }
}

/// Pending once, then ready: a point where the other request may run.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl<S: Store> Store for Interleaved<S> {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        YieldOnce(false).await;
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        YieldOnce(false).await;
        self.inner.get_many(keys).await
    }

    async fn put(&self, key: &str, value: &str, options: PutOptions) -> Result<(), StoreError> {
        YieldOnce(false).await;
        if self.throttle
            && !self
                .written_this_second
                .borrow_mut()
                .insert(key.to_string())
        {
            return Err(StoreError(format!("429 too many writes to {key}")));
        }
        self.inner.put(key, value, options).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listed, StoreError> {
        YieldOnce(false).await;
        self.inner.list(prefix, cursor, limit).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        YieldOnce(false).await;
        self.inner.delete(key).await
    }
}

/// Runs two futures to completion, choosing which to poll next from
/// `schedule`'s bits: every schedule is a different interleaving.
fn race<A: Future, B: Future>(a: A, b: B, mut schedule: u64) -> (A::Output, B::Output) {
    let mut cx = Context::from_waker(Waker::noop());
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    while ra.is_none() || rb.is_none() {
        // xorshift: a fresh bit per step, the same for the same schedule.
        schedule ^= schedule << 13;
        schedule ^= schedule >> 7;
        schedule ^= schedule << 17;
        let pick_a = rb.is_some() || (ra.is_none() && schedule & 1 == 0);
        if pick_a {
            if let Poll::Ready(v) = a.as_mut().poll(&mut cx) {
                ra = Some(v);
            }
        } else if let Poll::Ready(v) = b.as_mut().poll(&mut cx) {
            rb = Some(v);
        }
    }
    (ra.unwrap(), rb.unwrap())
}

fn ctx_over<S: Store>(
    store: &Interleaved<S>,
    net: &Recorder,
    now: u64,
    seed: u8,
) -> Ctx<Interleaved<S>, Recorder> {
    let mut c = Ctx::new(
        doi_config(),
        local_secrets(),
        store.clone(),
        net.clone(),
        Timestamp(now),
        [seed; 32],
    );
    c.base_url = ORIGIN.into();
    c
}

/// One race on a fresh Worker; returns it for the checks.
fn one_race(schedule: u64, throttle: bool) -> World {
    one_race_over(schedule, throttle)
}

/// One race on a fresh Worker over a fresh `S`, a minute after the signup.
pub(super) fn one_race_over<S: TestStore>(schedule: u64, throttle: bool) -> World<S> {
    let w = World::<S>::over();
    assert_eq!(
        w.subscribe(&record("whitepaper", WHO, "rec-race-0000000001"))
            .status,
        200
    );
    let links = w.links(WHO, None);
    let unsubscribe = path_of(links["unsubscribe_url"].as_str().unwrap());
    let preferences = path_of(links["preferences_url"].as_str().unwrap());
    let store = Interleaved {
        inner: w.store.clone(),
        throttle,
        written_this_second: Rc::default(),
    };
    w.advance(60_000);
    let now = w.now();
    let one_click_ctx = ctx_over(&store, &w.net, now, 101);
    let save_ctx = ctx_over(&store, &w.net, now, 102);
    let one_click = one_click_multipart(&unsubscribe);
    let save = form_post(
        &preferences,
        &[
            ("action", "save"),
            ("topics", "product"),
            ("topics", "tips"),
            ("frequency", "monthly"),
        ],
    );
    let (a, b) = race(
        app::handle(&one_click_ctx, &one_click),
        app::handle(&save_ctx, &save),
        schedule,
    );
    let what = format!("schedule {schedule:#x}, throttle {throttle}");
    assert_eq!(
        (a.status, b.status),
        (200, 200),
        "{what}: both writes landed"
    );
    // The retries after the response, a second later.
    store.next_second();
    w.tasks.borrow_mut().extend(
        one_click_ctx
            .take_tasks()
            .into_iter()
            .chain(save_ctx.take_tasks()),
    );
    w
}

pub(super) fn events_of<S: TestStore>(w: &World<S>) -> Vec<String> {
    let proof = body_json(&w.api(
        Method::Get,
        &format!("/v1/subscribers/{}", w.sid(WHO)),
        None,
    ));
    assert_eq!(proof["verified"], true);
    proof["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_one_click_and_a_preference_save_at_the_same_moment_both_survive_in_any_order() {
    for schedule in 1..=200u64 {
        let w = one_race(schedule.wrapping_mul(0x9E37_79B9_7F4A_7C15), false);
        let mut events = events_of(&w);
        events.sort();
        assert_eq!(
            events,
            ["preferences_changed", "subscribed", "unsubscribed"],
            "schedule {schedule}"
        );
        // In one place, whatever the order: no waiting for the repair.
        let (allowed, code, _) = w.check(WHO, None);
        assert!(
            !allowed,
            "schedule {schedule}: mail allowed after a one-click ({code})"
        );
        assert_eq!(code, "unsubscribed", "schedule {schedule}");
    }
}

#[test]
fn kv_refusing_a_second_write_per_key_per_second_loses_nothing_and_repair_converges() {
    for schedule in 1..=200u64 {
        let w = one_race(schedule.wrapping_mul(0xD1B5_4A32_D192_ED03), true);
        assert_eq!(
            events_of(&w).len(),
            3,
            "schedule {schedule}: an event was lost"
        );
        // A snapshot write KV refused is retried a second later (until
        // then /v1/check may read the other request's snapshot).
        // A raced one converges when its repair mark is due.
        w.run_tasks();
        let sweep = w.settle();
        assert_eq!(sweep.failed, 0, "schedule {schedule}: {sweep:?}");
        let snapshot: Value =
            serde_json::from_str(&w.store.peek(&format!("snap/{}", w.sid(WHO))).unwrap()).unwrap();
        assert_eq!(snapshot["state"]["events"], 3, "schedule {schedule}");
        assert_eq!(w.check(WHO, None).1, "unsubscribed", "schedule {schedule}");
    }
}

#[test]
fn the_scheduled_sweep_alone_converges_a_raced_snapshot_whose_retries_were_lost() {
    for schedule in 1..=50u64 {
        let w = one_race(schedule.wrapping_mul(0x2545_F491_4F6C_DD1D), true);
        w.tasks.borrow_mut().clear(); // the isolate went away before its retries
        let sweep = w.settle();
        assert!(sweep.complete && sweep.failed == 0, "{sweep:?}");
        let again = w.settle();
        assert_eq!(
            again.repaired, 0,
            "schedule {schedule}: the sweep converged"
        );
        assert_eq!(w.check(WHO, None).1, "unsubscribed", "schedule {schedule}");
    }
}
