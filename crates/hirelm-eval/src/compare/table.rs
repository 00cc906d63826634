//! [`Table`]: a titled table of text cells, written as Markdown or as HTML, so that every table
//! of a comparison is built once and rendered in both formats.

use std::fmt::Write;

use crate::report::xml_escape;

/// A titled table of text cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Heading above it.
    pub title: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub(super) fn markdown(&self) -> String {
        let mut s = format!(
            "#### {}\n\n| {} |\n|{}\n",
            self.title,
            self.header.join(" | "),
            "---|".repeat(self.header.len())
        );
        for row in &self.rows {
            let _ = writeln!(s, "| {} |", row.join(" | "));
        }
        s
    }

    pub(super) fn html(&self) -> String {
        let mut s = format!("<h3>{}</h3><table><tr>", xml_escape(&self.title));
        for h in &self.header {
            let _ = write!(s, "<th>{}</th>", xml_escape(h));
        }
        s.push_str("</tr>");
        for row in &self.rows {
            s.push_str("<tr>");
            for cell in row {
                let _ = write!(s, "<td>{}</td>", xml_escape(&cell.replace("**", "")));
            }
            s.push_str("</tr>");
        }
        s.push_str("</table>");
        s
    }
}
