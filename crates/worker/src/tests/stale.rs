//! Today's flows over a store with KV's staleness ([`StaleStore`], reads
//! as stale as KV allows), the clock moving as the test goes: the
//! specification of "eventually" in DESIGN.md. After a withdrawal's (or
//! an erasure's) 2xx, whatever stale writes follow from other locations,
//! `/v1/check` says "no mail" within [`WITHIN_MS`] of simulated time, and
//! no personal data is left; the repair that makes this true runs every
//! simulated minute (`repair::sweep`, as the cron would).

use super::races::{events_of, one_race_over, WHO};
use super::*;
use crate::store::{StaleStore, STALE_MS};

/// How soon a withdrawal must reach `/v1/check`.
const WITHIN_MS: u64 = 5 * 60_000;

/// How far the clock moves between looks.
const STEP_MS: u64 = 10_000;

/// How long each test watches after the 2xx (twice the promise, so "stays
/// no" is seen to hold).
const WATCH_MS: u64 = 2 * WITHIN_MS;

const MINUTE_MS: u64 = 60_000;

fn stale_world() -> World<StaleStore> {
    World::over()
}

/// Signs `email` up and lets KV settle; its one-click and preference paths.
fn signed_up(w: &World<StaleStore>, email: &str) -> (String, String) {
    let r = w.subscribe(&record("whitepaper", email, "rec-stale-000000001"));
    assert_eq!(r.status, 200, "{}", r.text());
    w.advance(2 * STALE_MS);
    let links = w.links(email, None);
    (
        path_of(links["unsubscribe_url"].as_str().unwrap()),
        path_of(links["preferences_url"].as_str().unwrap()),
    )
}

/// A preference save from a location whose reads are stale.
fn stale_save(w: &World<StaleStore>, preferences: &str) {
    let r = w.send(form_post(
        preferences,
        &[
            ("action", "save"),
            ("topics", "tips"),
            ("frequency", "monthly"),
        ],
    ));
    assert!(r.status < 500, "{}", r.text());
}

/// Moves the clock in steps for [`WATCH_MS`], running the sweep at every
/// whole minute and `during` at every step; returns how long after the
/// start `/v1/check` said "no mail" at every look from then on (`None`: it
/// still said yes at the end).
fn until_no_mail(
    w: &World<StaleStore>,
    email: &str,
    during: impl Fn(&World<StaleStore>, u64),
) -> Option<u64> {
    let mut since = None;
    for elapsed in (0..=WATCH_MS).step_by(STEP_MS as usize) {
        if elapsed > 0 {
            w.advance(STEP_MS);
        }
        during(w, elapsed);
        if elapsed % MINUTE_MS == 0 {
            w.sweep();
        }
        let (allowed, _, _) = w.check(email, None);
        since = match (allowed, since) {
            (true, _) => None,
            (false, None) => Some(elapsed),
            (false, kept) => kept,
        };
    }
    since
}

/// Five simulated minutes with the sweep every minute.
fn five_minutes_of_sweeps(w: &World<StaleStore>) {
    for _ in 0..WITHIN_MS / MINUTE_MS {
        w.advance(MINUTE_MS);
        w.sweep();
    }
}

#[test]
fn a_one_click_reaches_check_within_a_minute_when_nothing_else_writes() {
    let w = stale_world();
    let (unsubscribe, _) = signed_up(&w, WHO);
    assert!(w.check(WHO, None).0);
    assert_eq!(w.send(one_click_multipart(&unsubscribe)).status, 200);
    let no_mail = until_no_mail(&w, WHO, |_, _| {});
    assert_eq!(no_mail, Some(STALE_MS), "KV's own delay and no more");
}

#[test]
fn a_one_click_reaches_check_within_5_minutes_whatever_stale_preference_saves_follow() {
    let w = stale_world();
    let (unsubscribe, preferences) = signed_up(&w, WHO);
    assert_eq!(w.send(one_click_multipart(&unsubscribe)).status, 200);
    // Saves from other locations for the next minute, each reading the
    // snapshot and the event list as they were before the one-click.
    let no_mail = until_no_mail(&w, WHO, |w, elapsed| {
        if elapsed < STALE_MS {
            stale_save(w, &preferences);
        }
    });
    assert!(
        no_mail.is_some_and(|t| t <= WITHIN_MS),
        "after a one-click, /v1/check said no only from {no_mail:?} ms"
    );
    let mut events = events_of(&w);
    events.sort();
    events.dedup();
    assert_eq!(
        events,
        ["preferences_changed", "subscribed", "unsubscribed"]
    );
}

#[test]
fn a_one_click_and_a_preference_save_racing_on_stale_reads_both_survive_and_check_says_no_within_5_minutes(
) {
    for schedule in 1..=20u64 {
        let w = one_race_over::<StaleStore>(schedule.wrapping_mul(0x9E37_79B9_7F4A_7C15), false);
        w.run_tasks();
        let no_mail = until_no_mail(&w, WHO, |_, _| {});
        assert!(
            no_mail.is_some_and(|t| t <= WITHIN_MS),
            "schedule {schedule}: /v1/check said no only from {no_mail:?} ms"
        );
        let mut events = events_of(&w);
        events.sort();
        assert_eq!(
            events,
            ["preferences_changed", "subscribed", "unsubscribed"],
            "schedule {schedule}"
        );
    }
}

#[test]
fn an_erasure_stays_an_erasure_within_5_minutes_after_a_stale_preference_save() {
    let w = stale_world();
    let (_, preferences) = signed_up(&w, WHO);
    let r = w.api(
        Method::Delete,
        &format!("/v1/subscribers/{}", w.sid(WHO)),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // One save from a location that still sees the log before the erasure.
    let no_mail = until_no_mail(&w, WHO, |w, elapsed| {
        if elapsed == STEP_MS {
            stale_save(w, &preferences);
        }
    });
    assert!(
        no_mail.is_some_and(|t| t <= WITHIN_MS),
        "after an erasure, /v1/check said no only from {no_mail:?} ms"
    );
    assert_eq!(w.check(WHO, None).1, "erased");
    let proof = body_json(&w.api(
        Method::Get,
        &format!("/v1/subscribers/{}", w.sid(WHO)),
        None,
    ));
    assert_eq!(proof["email"], Value::Null, "the address came back");
    let stored: Vec<String> = w
        .store
        .keys()
        .iter()
        .filter_map(|k| w.store.peek(k))
        .collect();
    assert!(
        !stored.join("\n").contains(WHO),
        "a stored value holds the address"
    );
}

#[test]
fn an_erasure_right_after_a_signup_removes_its_personal_data_within_5_minutes() {
    let w = stale_world();
    super::api::erasure_removes_personal_data(&w, five_minutes_of_sweeps);
}

#[test]
fn an_erasure_right_after_a_signup_leaves_no_address_in_event_metadata_within_5_minutes() {
    let w = stale_world();
    super::lost_snapshots::erasure_leaves_no_address_in_old_event_metadata(
        &w,
        five_minutes_of_sweeps,
    );
}
