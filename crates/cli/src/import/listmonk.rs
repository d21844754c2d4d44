//! listmonk's subscriber export: `uuid, email, name, attributes, status,
//! created_at, updated_at` (times as Go writes them, with an offset).
//!
//! The consent time is `created_at`; the export does not say how a list
//! subscription was confirmed, so the opt-in is `imported_attested` unless
//! `--opt-in` says more. A `blocklisted` subscriber is not a consent.

use super::{Common, Defaults, Found, Left, Line, Parsed};
use crate::input::Table;
use crate::outcome::Failure;
use crate::time;

pub(super) fn parse(table: &Table, defaults: &Defaults) -> Result<Parsed, Failure> {
    let email = table.require(&["email"])?;
    let created = table.require(&["created_at"])?;
    let uuid = table.column(&["uuid"]);
    let status = table.column(&["status"]);
    let common = Common::of(table);
    let mut parsed = Parsed::default();
    for row in &table.rows {
        if status.is_some_and(|i| row.get(i).trim().eq_ignore_ascii_case("blocklisted")) {
            parsed.left.push(Left {
                line: row.line,
                why: "blocklisted in listmonk: not a consent (doi suppress it)".into(),
            });
            continue;
        }
        let consented_at =
            time::listmonk(row.get(created)).map_err(|e| table.error(row, created, e))?;
        let mut source = String::from("listmonk subscriber export");
        if let Some(id) = uuid.map(|i| row.get(i).trim()).filter(|v| !v.is_empty()) {
            source.push_str(&format!("; uuid {id}"));
        }
        source.push_str(&format!("; created {}", time::show(consented_at)));
        let found = Found {
            email: row.get(email).trim().to_string(),
            consented_at,
            source,
            opt_in: None,
        };
        let record = common.record(table, row, defaults, found)?;
        parsed.records.push(Line {
            line: row.line,
            record,
        });
    }
    Ok(parsed)
}
