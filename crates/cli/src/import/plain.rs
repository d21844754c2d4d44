//! A plain CSV: `email` and `consented_at` (RFC 3339, a UTC
//! `YYYY-MM-DD HH:MM:SS`, or milliseconds), and optionally `source`, `ip`,
//! `opt_in` (single, confirmed, imported_attested), `topics`
//! (`;`-separated), `consent_text` and `locale`.

use doi_core::OptIn;

use super::{Common, Defaults, Found, Line, Parsed};
use crate::input::Table;
use crate::outcome::Failure;
use crate::time;

pub(super) fn parse(table: &Table, defaults: &Defaults) -> Result<Parsed, Failure> {
    let email = table.require(&["email"])?;
    let consented = table.require(&["consented_at"])?;
    let source = table.column(&["source"]);
    let ip = table.column(&["ip", "optin_ip"]);
    let opt_in = table.column(&["opt_in"]);
    let common = Common::of(table);
    let mut parsed = Parsed::default();
    for row in &table.rows {
        let cell = |index: Option<usize>| {
            index
                .map(|i| (i, row.get(i).trim()))
                .filter(|(_, v)| !v.is_empty())
        };
        let consented_at =
            time::plain(row.get(consented)).map_err(|e| table.error(row, consented, e))?;
        let mut provenance =
            cell(source).map_or_else(|| "plain CSV import".to_string(), |(_, s)| s.to_string());
        if let Some((_, address)) = cell(ip) {
            provenance.push_str(&format!("; opted in from IP {address}"));
        }
        let how = match cell(opt_in) {
            None => None,
            Some((i, word)) => Some(match word {
                "single" => OptIn::Single,
                "confirmed" => OptIn::Confirmed,
                "imported_attested" => OptIn::ImportedAttested,
                _ => {
                    return Err(table.error(
                        row,
                        i,
                        format!("{word:?} is not single, confirmed or imported_attested"),
                    ))
                }
            }),
        };
        let found = Found {
            email: row.get(email).trim().to_string(),
            consented_at,
            source: provenance,
            opt_in: how,
        };
        let record = common.record(table, row, defaults, found)?;
        parsed.records.push(Line {
            line: row.line,
            record,
        });
    }
    Ok(parsed)
}
