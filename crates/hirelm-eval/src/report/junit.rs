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
        if c.status == Status::Pass {
            s.push_str("/>\n");
        } else {
            let line = xml_escape(&c.line());
            let _ = writeln!(
                s,
                ">\n      <failure message=\"{line}\">{line}</failure>\n    </testcase>"
            );
        }
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}
