//! Planted personal data: job-ad sentences carrying an email, a phone number and a street
//! address go through a whole curation run, and no file the run writes may contain them.

use std::path::Path;

use hirelm_curate::parquet_io::read_examples;
use hirelm_curate::{NoProgress, curate};

use crate::pipeline::{TrigramEmbedder, config};
use crate::shared_data;

/// The planted contact details; each must be redacted wherever it lands.
const PLANTED: [&str; 4] = ["jane.doe@example.com", "555 0132", "Baker Street", "+1 415"];

/// SkillSpan lines with a skill span and planted contact details; `marker` is a made-up word
/// that shows the sentence reached the output.
fn planted_line(marker: &str, skill: &str) -> String {
    let tokens = [
        "Strong",
        skill,
        "skills",
        "needed",
        "for",
        "our",
        marker,
        "team",
        ";",
        "mail",
        "jane.doe@example.com",
        "or",
        "call",
        "+1",
        "415",
        "555",
        "0132",
        ",",
        "office",
        "at",
        "12",
        "Baker",
        "Street",
        ".",
    ];
    let skill_tags: Vec<&str> = tokens
        .iter()
        .enumerate()
        .map(|(i, _)| match i {
            1 => "B",
            2 => "I",
            _ => "O",
        })
        .collect();
    serde_json::json!({
        "idx": 900_000,
        "tokens": tokens,
        "tags_skill": skill_tags,
        "tags_knowledge": vec!["O"; tokens.len()],
        "source": "tech",
    })
    .to_string()
}

/// A copy of the shared data folder (links) whose SkillSpan train file has the planted lines.
fn shared_with_planted_lines(dir: &Path, markers: &[(&str, &str)]) {
    let real = shared_data();
    for rel in [
        "PROVENANCE.md",
        "skill-extraction-benchmark/skills_en_label.txt",
        "skill-extraction-benchmark/esco_priors.json",
        "skill-extraction-benchmark/tech_validation_annotations.csv",
        "skill-extraction-benchmark/house_validation_annotations.csv",
        "jobbert-titles/titles.csv",
        "skillspan/dev.json",
    ] {
        let to = dir.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("dir");
        std::os::unix::fs::symlink(real.join(rel), to).expect("link");
    }
    let mut train = std::fs::read_to_string(real.join("skillspan/train.json")).expect("train");
    for (marker, skill) in markers {
        train.push_str(&planted_line(marker, skill));
        train.push('\n');
    }
    std::fs::write(dir.join("skillspan/train.json"), train).expect("write train");
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out)
        } else {
            out.push(path)
        }
    }
}

#[test]
fn planted_contact_details_never_reach_any_file_curation_writes() {
    let (shared, out) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let markers = [
        ("Zorblax", "leadership"),
        ("Quuxian", "negotiation"),
        ("Frobnitz", "Python programming"),
        ("Blorvik", "customer service"),
    ];
    shared_with_planted_lines(shared.path(), &markers);
    let mut c = config(out.path());
    c.sources.shared_data = shared.path().to_path_buf();
    curate(&c, Some(&TrigramEmbedder), None, &mut NoProgress).expect("curates");

    let mut files = Vec::new();
    files_under(out.path(), &mut files);
    assert!(files.len() >= 4, "{files:?}");
    let mut reached = 0;
    for file in &files {
        // Parquet pages are compressed: read the rows back rather than grepping the bytes.
        let text = if file.extension().is_some_and(|e| e == "parquet") {
            read_examples(file)
                .expect("reads")
                .iter()
                .map(|e| serde_json::to_string(e).expect("json"))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            String::from_utf8_lossy(&std::fs::read(file).expect("reads")).into_owned()
        };
        for planted in PLANTED {
            assert!(
                !text.contains(planted),
                "{} holds `{planted}`",
                file.display()
            );
        }
        reached += markers.iter().filter(|(m, _)| text.contains(m)).count();
    }
    // The check means something only if planted sentences made it into the data.
    assert!(
        reached > 0,
        "no planted sentence reached the output: the test would prove nothing"
    );
}
