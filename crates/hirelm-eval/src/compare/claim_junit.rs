//! The claim as JUnit XML, for CI systems that read test reports: one test case per check of
//! the headline claim, with the same figures, difference, interval, p-value and verdict as the
//! Markdown and HTML claim tables. A check that does not hold is a failure; an undecided one is
//! skipped (neither shown nor refuted).

use std::fmt::Write;

use super::claim_table::test_cells;
use super::{ClaimVerdict, Comparison};
use crate::report::xml_escape;

/// The claim's checks as JUnit XML; `None` when the comparison has no claim configured.
pub fn claim_junit(c: &Comparison) -> Option<String> {
    let v = c.bar.as_ref()?;
    let (held, not, undecided) = v.counts();
    let total = v.checks.len();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let suite = xml_escape(&format!("claim: {}", v.bar.tuned));
    let _ = writeln!(
        s,
        "<testsuites name=\"hirelm-compare\" tests=\"{total}\" failures=\"{not}\" skipped=\"{undecided}\">"
    );
    let _ = writeln!(
        s,
        "  <testsuite name=\"{suite}\" tests=\"{total}\" failures=\"{not}\" skipped=\"{undecided}\">"
    );
    let _ = writeln!(
        s,
        "    <properties><property name=\"holds\" value=\"{held}\"/></properties>"
    );
    for k in &v.checks {
        let [difference, p] = test_cells(k);
        let name = xml_escape(&format!("{} {} vs {}", k.entry, k.what, k.versus));
        let line = xml_escape(&format!(
            "{}: {:.3} against {} {:.3}; difference {difference}; p {p}; claim {}",
            v.bar.tuned,
            k.tuned,
            k.versus,
            k.other,
            k.verdict().word()
        ));
        let _ = write!(s, "    <testcase classname=\"{suite}\" name=\"{name}\">");
        match k.verdict() {
            ClaimVerdict::Holds => {}
            ClaimVerdict::DoesNotHold => {
                let _ = write!(s, "<failure message=\"{line}\">{line}</failure>");
            }
            ClaimVerdict::Undecided => {
                let _ = write!(s, "<skipped message=\"{line}\"/>");
            }
        }
        let _ = writeln!(s, "<system-out>{line}</system-out></testcase>");
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    Some(s)
}
