//! JUnit XML: one test case per suite entry × metric check.

use std::fmt::Write;

use super::xml_escape;
use crate::gate::{Check, Status};

/// JUnit XML with one `<testsuite>` for the suite and one `<testcase>` per check.
pub fn to_junit(suite: &str, checks: &[Check]) -> String {
    let failures = checks.iter().filter(|c| c.status != Status::Pass).count();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"hirelm-eval\" tests=\"{}\" failures=\"{failures}\">",
        checks.len()
    );
    let _ = writeln!(
        s,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
        xml_escape(suite),
        checks.len()
    );
    for c in checks {
        let name = xml_escape(&format!("{} {}", c.eval, c.metric));
        let _ = write!(
            s,
            "    <testcase classname=\"{}\" name=\"{name}\"",
            xml_escape(suite)
        );
        // Every case carries its figures (value, baseline, difference with its interval, p,
        // threshold), as the Markdown and HTML reports do; a failing one as its failure.
        let line = xml_escape(&c.line());
        if c.status == Status::Pass {
            let _ = writeln!(
                s,
                ">\n      <system-out>{line}</system-out>\n    </testcase>"
            );
        } else {
            let _ = writeln!(
                s,
                ">\n      <failure message=\"{line}\">{line}</failure>\n    </testcase>"
            );
        }
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}
