//! The curation readers on hostile files: byte 0 picks the reader, the rest is the file.
//! `CurateConfig::from_toml` (then what a checked config feeds: MinHash and decontamination),
//! the ESCO and title CSVs, the evaluation sentences (CSV and SkillSpan JSON lines), the ESCO
//! label list, and the text cleaners every row goes through.
#![no_main]

use std::path::Path;

use hirelm_curate::CurateConfig;
use hirelm_curate::clean::{MinHasher, normalise_text};
use hirelm_curate::decontam::{Decontaminator, read_eval_sentences};
use hirelm_curate::esco::read_concepts;
use hirelm_curate::labels::LabelSet;
use hirelm_curate::skillspan::read_skillspan;
use hirelm_curate::titles::read_titles;
use libfuzzer_sys::fuzz_target;

const SAMPLE_TEXT: &str =
    "Senior data engineer, remote; contact jane.doe@example.com or +44 20 7946 0958.";

fuzz_target!(|data: &[u8]| {
    let [pick, file @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(file);
    match pick % 7 {
        0 => {
            if let Ok(config) = CurateConfig::from_toml(&text, Path::new("fuzz.toml")) {
                let _ = config.hash();
                let hasher = MinHasher::new(config.clean.minhash.clone());
                let sig = hasher.signature(SAMPLE_TEXT);
                let _ = hasher.band_keys(&sig);
                let eval = hirelm_fuzz::scratch_file(
                    "eval.csv",
                    b"sentence\nSenior data engineer, remote\n",
                );
                if let Ok(d) = Decontaminator::new(&[eval], config.decontam.ngram, hasher) {
                    let _ = d.contaminated_by(SAMPLE_TEXT);
                }
            }
        }
        1 => {
            let path = hirelm_fuzz::scratch_file("titles.csv", file);
            let _ = read_titles(&path);
        }
        2 => {
            let path = hirelm_fuzz::scratch_file("skills.csv", file);
            let _ = read_concepts(&path, None);
            let labels =
                LabelSet::from_lines(["manage budgets", "Python (computer programming)", "SQL"]);
            let _ = read_concepts(&path, Some(&labels));
        }
        3 => {
            let path = hirelm_fuzz::scratch_file("eval.csv", file);
            let _ = read_eval_sentences(&path);
        }
        4 => {
            let path = hirelm_fuzz::scratch_file("skillspan.json", file);
            let _ = read_skillspan(&path);
            let _ = read_eval_sentences(&path);
        }
        5 => {
            let path = hirelm_fuzz::scratch_file("labels.txt", file);
            if let Ok(labels) = LabelSet::read(&path) {
                let _ = format!("{labels:?}");
            }
        }
        _ => {
            let normal = normalise_text(&text);
            let _ = hirelm_core::pii::redact(&normal);
            let _ = hirelm_core::pii::redact(&text);
            let hasher = MinHasher::new(Default::default());
            let _ = hasher.band_keys(&hasher.signature(&text));
        }
    }
});
