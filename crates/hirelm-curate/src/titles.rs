//! Real vacancy titles with their ESCO occupation (`jobbert-titles/titles.csv`): the one reader
//! of the file, for curation and for evaluation's titles suite.

use std::path::Path;

use crate::error::{CurateError, SHARED_HINT, open_source};

/// One row of `titles.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleRow {
    /// 1-based line in the file.
    pub line: u64,
    /// The vacancy title as written.
    pub title: String,
    /// The ESCO occupation URI.
    pub occupation_uri: String,
}

/// Reads `titles.csv` (`,vacancyTitle,conceptUri`; quoted fields allowed, both trimmed). An
/// empty title or a URI that is not an ESCO occupation's is an error naming the line.
pub fn read_titles(path: &Path) -> Result<Vec<TitleRow>, CurateError> {
    let file = open_source(path, SHARED_HINT)?;
    let mut reader = csv::ReaderBuilder::new().from_reader(std::io::BufReader::new(file));
    let headers = reader
        .headers()
        .map_err(|e| CurateError::record(path, 1, "header", e.to_string()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| CurateError::record(path, 1, name, "column missing from the header"))
    };
    let (title_col, uri_col) = (col("vacancyTitle")?, col("conceptUri")?);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CurateError::csv_row(path, &e))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let title = record
            .get(title_col)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| CurateError::record(path, line, "vacancyTitle", "missing or empty"))?;
        let uri = record
            .get(uri_col)
            .map(str::trim)
            .ok_or_else(|| CurateError::record(path, line, "conceptUri", "missing"))?;
        if !uri.starts_with("http://data.europa.eu/esco/occupation/") {
            return Err(CurateError::record(
                path,
                line,
                "conceptUri",
                format!("not an ESCO occupation URI: `{uri}`"),
            ));
        }
        rows.push(TitleRow {
            line,
            title: title.to_string(),
            occupation_uri: uri.to_string(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A titles file holding `text`.
    fn titles_file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp");
        writeln!(f, "{text}").expect("write");
        f
    }

    #[test]
    fn a_bad_uri_names_file_line_and_field() {
        let f = titles_file(
            ",vacancyTitle,conceptUri\n0,Nurse,http://data.europa.eu/esco/occupation/x\n1,Cook,oops",
        );
        let err = read_titles(f.path()).expect_err("bad").to_string();
        assert!(err.contains(":3: conceptUri"), "{err}");
        let f = titles_file(
            ",vacancyTitle,conceptUri\n0, Nurse ,http://data.europa.eu/esco/occupation/x\n1,  ,http://data.europa.eu/esco/occupation/y",
        );
        let err = read_titles(f.path()).expect_err("blank").to_string();
        assert!(err.contains(":3: vacancyTitle"), "{err}");
    }

    #[test]
    fn titles_and_uris_are_trimmed() {
        let f = titles_file(
            ",vacancyTitle,conceptUri\n0,\" Nurse \", http://data.europa.eu/esco/occupation/x",
        );
        let rows = read_titles(f.path()).expect("reads");
        assert_eq!(
            (rows[0].title.as_str(), rows[0].occupation_uri.as_str()),
            ("Nurse", "http://data.europa.eu/esco/occupation/x")
        );
    }
}
