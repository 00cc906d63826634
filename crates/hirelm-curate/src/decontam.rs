//! Decontamination: drop examples whose text overlaps an evaluation file.
//!
//! An example text is contaminated by an evaluation file when (after [`normalise_text`] and
//! lowercasing) it equals one of the file's sentences, shares a word n-gram with one, or has an
//! estimated MinHash Jaccard similarity at or above the near-dup threshold with one.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::clean::{MinHasher, normalise_text};
use crate::error::{CurateError, SHARED_HINT, open_source};
use crate::skillspan::read_skillspan;

/// Reads the sentences of an evaluation file: a `.csv` with a `sentence` column, or SkillSpan
/// JSON lines (`.json`/`.jsonl`).
pub fn read_eval_sentences(path: &Path) -> Result<Vec<String>, CurateError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => {
            let mut reader =
                csv::Reader::from_reader(std::io::BufReader::new(open_source(path, SHARED_HINT)?));
            let headers = reader
                .headers()
                .map_err(|e| CurateError::record(path, 1, "header", e.to_string()))?
                .clone();
            let col = headers
                .iter()
                .position(|h| h == "sentence")
                .ok_or_else(|| {
                    CurateError::record(path, 1, "sentence", "column missing from the header")
                })?;
            let mut out = Vec::new();
            for record in reader.records() {
                let record = record.map_err(|e| CurateError::csv_row(path, &e))?;
                out.push(record.get(col).unwrap_or_default().to_string());
            }
            out.sort();
            out.dedup();
            Ok(out)
        }
        Some("json" | "jsonl") => Ok(read_skillspan(path)?.into_iter().map(|s| s.text).collect()),
        _ => Err(CurateError::record(
            path,
            0,
            "extension",
            "evaluation files must be .csv or .json(l)",
        )),
    }
}

fn key(text: &str) -> String {
    normalise_text(text).to_lowercase()
}

fn ngrams(text: &str, n: usize) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < n {
        return Vec::new();
    }
    words.windows(n).map(|w| w.join(" ")).collect()
}

/// An index of evaluation sentences, per file.
#[derive(Debug)]
pub struct Decontaminator {
    files: Vec<PathBuf>,
    exact: HashMap<String, usize>,
    grams: HashMap<String, usize>,
    bands: HashMap<u64, Vec<(usize, usize)>>,
    signatures: Vec<Vec<Vec<u32>>>,
    hasher: MinHasher,
    ngram: usize,
}

impl Decontaminator {
    /// Indexes the files.
    pub fn new(files: &[PathBuf], ngram: usize, hasher: MinHasher) -> Result<Self, CurateError> {
        let mut d = Decontaminator {
            files: files.to_vec(),
            exact: HashMap::new(),
            grams: HashMap::new(),
            bands: HashMap::new(),
            signatures: Vec::new(),
            hasher,
            ngram,
        };
        for (f, path) in files.iter().enumerate() {
            let mut sigs = Vec::new();
            for (s, sentence) in read_eval_sentences(path)?.iter().enumerate() {
                let k = key(sentence);
                d.exact.entry(k.clone()).or_insert(f);
                for g in ngrams(&k, ngram) {
                    d.grams.entry(g).or_insert(f);
                }
                let sig = d.hasher.signature(&k);
                for band in d.hasher.band_keys(&sig) {
                    d.bands.entry(band).or_default().push((f, s));
                }
                sigs.push(sig);
            }
            d.signatures.push(sigs);
        }
        Ok(d)
    }

    /// Words per n-gram of the overlap test.
    pub fn ngram(&self) -> usize {
        self.ngram
    }

    /// The evaluation files, in index order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The index of the first evaluation file `text` overlaps, if any.
    pub fn contaminated_by(&self, text: &str) -> Option<usize> {
        let k = key(text);
        if let Some(&f) = self.exact.get(&k) {
            return Some(f);
        }
        if let Some(f) = ngrams(&k, self.ngram)
            .iter()
            .find_map(|g| self.grams.get(g).copied())
        {
            return Some(f);
        }
        let sig = self.hasher.signature(&k);
        let threshold = self.hasher.config().threshold;
        let mut seen = HashSet::new();
        for band in self.hasher.band_keys(&sig) {
            for &(f, s) in self.bands.get(&band).into_iter().flatten() {
                if seen.insert((f, s))
                    && MinHasher::similarity(&sig, &self.signatures[f][s]) >= threshold
                {
                    return Some(f);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::clean::MinHashConfig;

    #[test]
    fn exact_ngram_and_near_overlaps_are_caught_per_file() {
        let mut csv = tempfile::Builder::new()
            .suffix(".csv")
            .tempfile()
            .expect("temp");
        writeln!(
            csv,
            "sentence,span,sub_span,label\njavascript reactjs java,javascript,,JavaScript"
        )
        .expect("write");
        writeln!(csv, "\"You will design, build and maintain scalable backend services in Go and Rust for our clients\",x,,y").expect("write");
        let d = Decontaminator::new(
            &[csv.path().to_path_buf()],
            8,
            MinHasher::new(MinHashConfig::default()),
        )
        .expect("index");
        assert_eq!(d.contaminated_by("JavaScript  ReactJS java"), Some(0));
        assert_eq!(
            d.contaminated_by(
                "Apply now: design, build and maintain scalable backend services in Go today"
            ),
            Some(0)
        );
        assert_eq!(
            d.contaminated_by("Experience with Kubernetes is required."),
            None
        );
    }
}
