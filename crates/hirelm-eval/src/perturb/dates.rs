//! The `date_format` pack: every date written in one of three unambiguous forms is rewritten in
//! another — ISO `2025-03-10`, `March 10, 2025`, `10 March 2025` — so a model that reads dates
//! must not change its answer with their spelling. Day-first and month-first numeric forms
//! (`03/10/2025`) are left alone: their meaning depends on the reader's locale.

use std::sync::OnceLock;

use regex::{Captures, Regex};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let months = MONTHS.join("|");
        let text = format!(
            r"\b(?:(?P<iy>\d{{4}})-(?P<im>\d{{2}})-(?P<id>\d{{2}})|(?P<lm>{months}) (?P<ld>\d{{1,2}}), (?P<ly>\d{{4}})|(?P<dd>\d{{1,2}}) (?P<dm>{months}) (?P<dy>\d{{4}}))\b"
        );
        // The pattern is a constant; a failure here is a bug caught by the tests.
        Regex::new(&text).unwrap_or_else(|e| panic!("date pattern: {e}"))
    })
}

/// A date found in text: (year, month 1–12, day, which of the three forms it was written in).
fn parse(c: &Captures<'_>) -> Option<(u32, usize, u32, usize)> {
    let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let month_of = |name: &str| {
        c.name(name)
            .and_then(|m| MONTHS.iter().position(|x| *x == m.as_str()))
            .map(|i| i + 1)
    };
    let (y, m, d, form) = if let Some(y) = num("iy") {
        (y, num("im")? as usize, num("id")?, 0)
    } else if let Some(y) = num("ly") {
        (y, month_of("lm")?, num("ld")?, 1)
    } else {
        (num("dy")?, month_of("dm")?, num("dd")?, 2)
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d, form))
}

fn write(y: u32, m: usize, d: u32, form: usize) -> String {
    match form {
        0 => format!("{y:04}-{m:02}-{d:02}"),
        1 => format!("{} {d}, {y}", MONTHS[m - 1]),
        _ => format!("{d} {} {y}", MONTHS[m - 1]),
    }
}

/// `text` with each date in another of the three forms (`choice` picks which); `None` when the
/// text has no date.
pub fn rewrite_dates(text: &str, choice: u64) -> Option<String> {
    let mut changed = false;
    let out = pattern().replace_all(text, |c: &Captures<'_>| match parse(c) {
        Some((y, m, d, form)) => {
            changed = true;
            // One of the two other forms: never the one it was written in.
            write(y, m, d, (form + 1 + (choice % 2) as usize) % 3)
        }
        None => c[0].to_string(),
    });
    changed.then(|| out.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_moves_to_another_and_back() {
        assert_eq!(
            rewrite_dates("Start on 2025-03-10.", 0).as_deref(),
            Some("Start on March 10, 2025.")
        );
        assert_eq!(
            rewrite_dates("Start on 2025-03-10.", 1).as_deref(),
            Some("Start on 10 March 2025.")
        );
        assert_eq!(
            rewrite_dates("From March 1, 2026 onwards", 0).as_deref(),
            Some("From 1 March 2026 onwards")
        );
        assert_eq!(
            rewrite_dates("From March 1, 2026 onwards", 1).as_deref(),
            Some("From 2026-03-01 onwards")
        );
        assert_eq!(
            rewrite_dates("due 7 July 2025", 0).as_deref(),
            Some("due 2025-07-07")
        );
    }

    #[test]
    fn ambiguous_invalid_and_absent_dates_are_left_alone() {
        assert_eq!(rewrite_dates("Meet on 03/10/2025 at 9", 0), None);
        assert_eq!(rewrite_dates("version 2025-13-40 of the spec", 0), None);
        assert_eq!(rewrite_dates("We need a Rust engineer.", 0), None);
        // Two dates, both rewritten.
        assert_eq!(
            rewrite_dates("2025-01-02 to 2025-01-09", 1).as_deref(),
            Some("2 January 2025 to 9 January 2025")
        );
    }
}
