//! First names by sex group for the `name_swap` fairness pack, from the US Social Security
//! first-name data that `hirelm-curate` draws candidate names from
//! (`data/names/us-name-data.sqlite`, table `usNameData(name, sex, births, rank, year)`, fetched
//! by `scripts/fetch-data.sh`).
//!
//! Births are summed over 1965–2003 (the birth years curation draws from) for names with at
//! least 500 such births. A name's group is the sex with more births. The replacement pool of a
//! group is its [`POOL_SIZE`] most frequent names of which at least 95 % of births are of that
//! sex, so a swap never lands on an ambiguous name (Jordan, Taylor) and the group of the new
//! name is clear.

use std::collections::HashMap;
use std::path::Path;

use hirelm_core::text::capitalise_name;
use rusqlite::{Connection, OpenFlags};

use crate::{EvalError, Result};

/// Birth years summed (the years `hirelm-curate` draws names from).
pub const YEARS: (u32, u32) = (1965, 2003);
/// Smallest births over [`YEARS`] for a name to be read.
pub const MIN_BIRTHS: u64 = 500;
/// Names per group in the replacement pool.
pub const POOL_SIZE: usize = 200;
/// Smallest share of births of one sex for a name to enter that sex's pool.
pub const POOL_PURITY: f64 = 0.95;

/// The first-name file under the fetched-data directory.
pub fn names_path(data: &Path) -> std::path::PathBuf {
    data.join("names/us-name-data.sqlite")
}

/// First names with their births by sex, and the two replacement pools.
#[derive(Debug, Clone, Default)]
pub struct NameTable {
    /// Lower-cased name → (female births, male births).
    births: HashMap<String, (u64, u64)>,
    female_pool: Vec<String>,
    male_pool: Vec<String>,
}

impl NameTable {
    /// Reads the table from `<data>/names/us-name-data.sqlite`; a missing file is an error naming
    /// it and the fetch script.
    pub fn load(data: &Path) -> Result<Self> {
        let path = names_path(data);
        if !path.is_file() {
            return Err(EvalError::config(
                &path,
                "first-name data for the name_swap pack is missing (run scripts/fetch-data.sh)",
            ));
        }
        let err = |e: rusqlite::Error| EvalError::config(&path, format!("reading usNameData: {e}"));
        let db =
            Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(err)?;
        let mut stmt = db
            .prepare(
                "SELECT name, SUM(CASE WHEN sex = 'F' THEN births ELSE 0 END), SUM(CASE WHEN sex = 'M' THEN births ELSE 0 END) \
                 FROM usNameData WHERE year BETWEEN ?1 AND ?2 GROUP BY name HAVING SUM(births) >= ?3",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map(
                rusqlite::params![YEARS.0, YEARS.1, MIN_BIRTHS as i64],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?.max(0) as u64,
                        r.get::<_, i64>(2)?.max(0) as u64,
                    ))
                },
            )
            .map_err(err)?;
        let rows = rows
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(err)?;
        if rows.is_empty() {
            return Err(EvalError::config(
                &path,
                format!("no first names born {}-{} in usNameData", YEARS.0, YEARS.1),
            ));
        }
        Ok(Self::from_rows(rows))
    }

    /// A table from `(name, female births, male births)` rows.
    pub fn from_rows(rows: impl IntoIterator<Item = (String, u64, u64)>) -> Self {
        let mut births: HashMap<String, (u64, u64)> = HashMap::new();
        for (name, f, m) in rows {
            let e = births.entry(name.to_lowercase()).or_default();
            e.0 += f;
            e.1 += m;
        }
        let pool = |female: bool| {
            let mut v: Vec<(&String, u64)> = births
                .iter()
                .filter_map(|(n, &(f, m))| {
                    let own = if female { f } else { m };
                    (own as f64 >= POOL_PURITY * (f + m) as f64 && own > 0).then_some((n, own))
                })
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            v.into_iter()
                .take(POOL_SIZE)
                .map(|(n, _)| capitalise_name(n))
                .collect::<Vec<String>>()
        };
        let (female_pool, male_pool) = (pool(true), pool(false));
        Self {
            births,
            female_pool,
            male_pool,
        }
    }

    /// Whether `name` is a female-group name (`Some(true)`), male-group (`Some(false)`), or not in
    /// the data or equally split (`None`).
    pub fn is_female(&self, name: &str) -> Option<bool> {
        let &(f, m) = self.births.get(&name.trim().to_lowercase())?;
        (f != m).then_some(f > m)
    }

    /// A seeded name of the *other* group than `name`'s; `None` when `name`'s group is unknown.
    pub fn swap(&self, name: &str, seed: u64) -> Option<String> {
        let pool = if self.is_female(name)? {
            &self.male_pool
        } else {
            &self.female_pool
        };
        (!pool.is_empty()).then(|| pool[(seed % pool.len() as u64) as usize].clone())
    }

    /// Sizes of the female and male replacement pools.
    pub fn pool_sizes(&self) -> (usize, usize) {
        (self.female_pool.len(), self.male_pool.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> NameTable {
        NameTable::from_rows([
            ("mary".to_string(), 1000, 5),
            ("john".to_string(), 3, 2000),
            ("jordan".to_string(), 400, 600),
            ("alex".to_string(), 50, 50),
            ("anna".to_string(), 500, 0),
        ])
    }

    #[test]
    fn groups_and_pools_follow_the_births() {
        let t = table();
        assert_eq!(t.is_female("Mary"), Some(true));
        assert_eq!(t.is_female(" JOHN "), Some(false));
        assert_eq!(t.is_female("Jordan"), Some(false), "majority sex");
        assert_eq!(t.is_female("Alex"), None, "equal split");
        assert_eq!(t.is_female("Zebulon"), None);
        // Jordan (60 % male) is in neither pool; Mary before Anna by births.
        assert_eq!(
            (t.female_pool.as_slice(), t.male_pool.as_slice()),
            (
                ["Mary".to_string(), "Anna".to_string()].as_slice(),
                ["John".to_string()].as_slice()
            )
        );
        assert_eq!(t.swap("Mary", 7).as_deref(), Some("John"));
        assert_eq!(t.swap("Jordan", 0).as_deref(), Some("Mary"));
        assert_eq!(t.swap("Jordan", 1).as_deref(), Some("Anna"));
        assert_eq!(t.swap("Alex", 1), None);
    }

    #[test]
    fn reads_sqlite_and_names_a_missing_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = NameTable::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("us-name-data.sqlite") && err.contains("fetch-data.sh"),
            "{err}"
        );
        std::fs::create_dir_all(dir.path().join("names")).expect("mkdir");
        let db = Connection::open(names_path(dir.path())).expect("create");
        db.execute_batch(
            "CREATE TABLE usNameData (id INTEGER PRIMARY KEY, name TEXT, sex TEXT, births INTEGER, rank INTEGER, year INTEGER);
             INSERT INTO usNameData (name, sex, births, rank, year) VALUES
               ('mary','F',400,1,1970), ('mary','F',300,1,1990), ('mary','F',9000,1,1950),
               ('john','M',800,1,1980), ('rare','F',10,9,1980);",
        )
        .expect("fixture");
        drop(db);
        let t = NameTable::load(dir.path()).expect("loads");
        assert_eq!(
            t.births.get("mary"),
            Some(&(700, 0)),
            "1950 is outside the years"
        );
        assert_eq!(t.is_female("Rare"), None, "under the birth minimum");
        assert_eq!(t.pool_sizes(), (1, 1));
    }
}
