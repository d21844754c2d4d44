//! The KV key layout, in one place (ARCHITECTURE.md documents it). No key
//! ever contains an email address: subscribers appear by their id.

use doi_core::{ConsentVersion, EventId, SubscriberId, Timestamp};

/// Prefix of every event key.
pub const EVENTS: &str = "ev/";
/// Prefix of every snapshot key.
pub const SNAPSHOTS: &str = "snap/";

/// `ev/{subscriber}/{event}`: one immutable event, exactly the sealed bytes.
pub fn event(sid: &SubscriberId, id: &EventId) -> String {
    format!("{EVENTS}{sid}/{}", id.as_str())
}

/// `ev/{subscriber}/`: all of one subscriber's events.
pub fn events_of(sid: &SubscriberId) -> String {
    format!("{EVENTS}{sid}/")
}

/// `snap/{subscriber}`: the derived snapshot.
pub fn snapshot(sid: &SubscriberId) -> String {
    format!("{SNAPSHOTS}{sid}")
}

/// `text/{version}`: a consent text as shown, by its SHA-256.
pub fn consent_text(version: &ConsentVersion) -> String {
    format!("text/{version}")
}

/// `rl/confirm/{subscriber}/{date}`: confirmation mails accepted for
/// delivery that UTC day.
pub fn confirmations_sent(sid: &SubscriberId, now: Timestamp) -> String {
    format!("rl/confirm/{sid}/{}", now.date())
}

/// Prefix of every repair mark.
pub const MARKS: &str = "mark/";

/// `mark/{class}/{not before, ms, 13 digits}/{subscriber}/{change}`: refold
/// this subscriber from its events once KV has settled (see `repair`). Class
/// `0` is a withdrawal's, `1` any other change's: a listing returns every
/// withdrawal's mark first, so a backlog of imports never delays a "no".
/// Within a class, sorted by time; one key per change (KV takes one write
/// per key per second).
pub fn mark(
    sid: &SubscriberId,
    not_before: Timestamp,
    change: &EventId,
    withdrawal: bool,
) -> String {
    let class = if withdrawal { 0 } else { 1 };
    format!(
        "{MARKS}{class}/{:013}/{sid}/{}",
        not_before.millis(),
        change.as_str()
    )
}

/// The class (`true`: a withdrawal's), time and subscriber of a mark key.
pub fn parse_mark(key: &str) -> Option<(bool, Timestamp, SubscriberId)> {
    let mut parts = key.strip_prefix(MARKS)?.split('/');
    let withdrawal = parts.next()? == "0";
    let at = parts.next()?.parse().ok()?;
    Some((
        withdrawal,
        Timestamp(at),
        SubscriberId::parse(parts.next()?)?,
    ))
}

/// `pulse`: the time of the latest change anywhere (refreshed every few
/// minutes); the repair lists marks only while it is recent.
pub const PULSE: &str = "pulse";

/// `rl/signup/{subscriber}/{date}`: sign-ups of this address that UTC day.
pub fn signups_by_address(sid: &SubscriberId, now: Timestamp) -> String {
    format!("rl/signup/{sid}/{}", now.date())
}

/// `rl/client/{client hash}/{date}`: sign-ups from one client that UTC day
/// (the hash of `ratelimit::client_key`, never an IP).
pub fn signups_by_client(client: &str, now: Timestamp) -> String {
    format!("rl/client/{client}/{}", now.date())
}

/// `rl/manage/{subscriber}/{date}`: preference links asked for on `/m`
/// that UTC day (counted for known and unknown addresses alike).
pub fn manage_links_sent(sid: &SubscriberId, now: Timestamp) -> String {
    format!("rl/manage/{sid}/{}", now.date())
}

/// `rl/try/{subscriber}/{date}`: confirmation deliveries attempted that day.
pub fn confirmation_tries(sid: &SubscriberId, now: Timestamp) -> String {
    format!("rl/try/{sid}/{}", now.date())
}

/// The subscriber id in an `ev/` or `snap/` key.
pub fn subscriber_of(key: &str) -> Option<SubscriberId> {
    let rest = key
        .strip_prefix(EVENTS)
        .or_else(|| key.strip_prefix(SNAPSHOTS))?;
    SubscriberId::parse(rest.split('/').next()?)
}

/// The event id at the end of an `ev/` key.
pub fn event_id_of(key: &str) -> Option<EventId> {
    EventId::parse(key.rsplit('/').next()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_subscribers_by_id_and_parse_back() {
        let sid = SubscriberId([7; 16]);
        let id = EventId::from_random([1; 16]);
        let k = event(&sid, &id);
        assert!(k.starts_with(&events_of(&sid)));
        assert_eq!(subscriber_of(&k), Some(sid));
        assert_eq!(subscriber_of(&snapshot(&sid)), Some(sid));
        assert_eq!(event_id_of(&k), Some(id.clone()));
        let m = mark(&sid, Timestamp(1_234), &id, false);
        assert_eq!(parse_mark(&m), Some((false, Timestamp(1_234), sid)));
        assert!(
            mark(&sid, Timestamp(999), &id, false) < m,
            "marks sort by time"
        );
        let no = mark(&sid, Timestamp(9_999), &id, true);
        assert_eq!(parse_mark(&no), Some((true, Timestamp(9_999), sid)));
        assert!(no < m, "a withdrawal's mark comes first");
        assert_eq!(
            confirmations_sent(&sid, Timestamp(0)),
            format!("rl/confirm/{sid}/1970-01-01")
        );
    }
}
