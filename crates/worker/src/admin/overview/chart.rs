//! Sign-ups and unsubscribes per day as an SVG drawn here: no script and no
//! chart library in the browser. Sign-ups rise above the axis, unsubscribes
//! hang below it; each bar is a `<rect>` with a `<title>` (what a pointer
//! or a screen reader reading the image's parts says), the whole image is
//! named by its totals, and a table of the days with any beside it says
//! the same in text.

use doi_core::html::Escaped;
use doi_core::time::DAY;
use doi_core::{Locale, Timestamp};

use super::texts::{fill, O};

/// Drawing units: the image scales to the page's width.
const WIDTH: u64 = 720;
const HALF: u64 = 60;

/// The date (JST) `back` days before the pass's day.
fn date(started: Timestamp, back: usize) -> String {
    Timestamp(started.millis() + 9 * 3_600_000)
        .millis()
        .checked_sub(back as u64 * DAY)
        .map_or_else(String::new, |ms| Timestamp(ms).date())
}

/// The chart of the last `days` entries of `joined` and `left` (oldest
/// first; the last is the day of `started`).
pub fn chart(
    locale: Locale,
    started: Timestamp,
    joined: &[u64],
    left: &[u64],
    days: usize,
) -> String {
    let days = days.min(joined.len()).min(left.len());
    let joined = &joined[joined.len() - days..];
    let left = &left[left.len() - days..];
    let top = joined.iter().chain(left).copied().max().unwrap_or(0).max(1);
    let step = WIDTH / days.max(1) as u64;
    let bar = (step * 7 / 10).max(1);
    let scale = |n: u64| (n * HALF).div_ceil(top);
    let (sum_j, sum_l): (u64, u64) = (joined.iter().sum(), left.iter().sum());
    let label = fill(
        O::ChartLabel,
        locale,
        &[
            ("days", &days.to_string()),
            ("joined", &sum_j.to_string()),
            ("left", &sum_l.to_string()),
        ],
    );
    let mut bars = String::new();
    let mut rows = String::new();
    for (i, (j, l)) in joined.iter().zip(left).enumerate() {
        let when = date(started, days - 1 - i);
        let x = i as u64 * step + (step - bar) / 2;
        for (n, above, msg, fill_colour) in [
            (*j, true, O::BarJoined, "#1a5fb4"),
            (*l, false, O::BarLeft, "#b3261e"),
        ] {
            if n == 0 {
                continue;
            }
            let h = scale(n);
            let y = if above { HALF - h } else { HALF };
            let title = fill(msg, locale, &[("date", &when), ("n", &n.to_string())]);
            bars.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"{fill_colour}\"><title>{}</title></rect>",
                Escaped(&title)
            ));
        }
        if *j > 0 || *l > 0 {
            rows.push_str(&format!(
                "<tr><td>{}</td><td>{j}</td><td>{l}</td></tr>",
                Escaped(&when)
            ));
        }
    }
    let t = |m: O| Escaped(m.text(locale));
    format!(
        "<figure class=\"chart\"><svg viewBox=\"0 0 {WIDTH} {h}\" width=\"100%\" role=\"img\" aria-label=\"{label}\" focusable=\"false\">\
<title>{label}</title><line x1=\"0\" y1=\"{HALF}\" x2=\"{WIDTH}\" y2=\"{HALF}\" stroke=\"#6b6b6b\" stroke-width=\"1\"/>{bars}</svg>\
<figcaption>{label}</figcaption></figure>\
<details><summary>{table}</summary><div class=\"scroll\"><table><thead><tr><th scope=\"col\">{date}</th><th scope=\"col\">{jo}</th><th scope=\"col\">{le}</th></tr></thead>\
<tbody>{rows}</tbody></table></div></details>",
        h = 2 * HALF,
        label = Escaped(&label),
        table = t(O::ChartTable),
        date = t(O::Date),
        jo = t(O::Joined),
        le = t(O::Left),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_draws_one_titled_bar_per_day_with_any_and_a_table_row_for_it() {
        let mut joined = vec![0; 90];
        let mut left = vec![0; 90];
        joined[89] = 3;
        left[88] = 1;
        joined[10] = 5; // outside the last 30 days
        let svg = chart(Locale::En, Timestamp(1_800_000_000_000), &joined, &left, 30);
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(svg.contains("30 days: 3 sign-ups, 1 unsubscribes"));
        assert!(svg.contains("2027-01-15: 3 sign-ups"), "{svg}");
        assert_eq!(svg.matches("<tr><td>").count(), 2);
        let all = chart(Locale::Ja, Timestamp(1_800_000_000_000), &joined, &left, 90);
        assert_eq!(all.matches("<rect").count(), 3);
        assert!(all.contains("登録8件"), "{all}");
    }
}
