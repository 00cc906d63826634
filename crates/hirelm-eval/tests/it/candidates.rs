//! Where a language model's candidates come from on a retrieval task: the retriever its factory
//! names (the tuned encoder by default, MiniLM for an off-the-shelf system), or MiniLM's for
//! every reranker when the run asks for it (`--rerank-from-minilm`). Measured on the first TECH
//! validation sentences against their gold labels plus 3,000 other ESCO labels, with the real
//! MiniLM and the shipped skills encoder.

use std::path::Path;
use std::sync::Arc;

use hirelm_core::Task;
use hirelm_eval::corpus::benchmark::{LabelSet, load_skill_benchmark};
use hirelm_eval::runner::{
    CandidateSource, RerankerFactory, RunOptions, TunedEncoderDirs, run_suite,
};
use hirelm_eval::suite::Suite;
use hirelm_eval::{Predictor, Result};

use crate::{minilm_dir, repo_root, shared};

/// A "reranker" that keeps its retriever's order, so its answers are the candidates it was given.
#[derive(Debug)]
struct KeepOrder(CandidateSource);

impl RerankerFactory for KeepOrder {
    fn name(&self) -> &str {
        "keep-order"
    }
    fn candidate_source(&self) -> CandidateSource {
        self.0
    }
    fn build<'a>(
        &self,
        _: Task,
        retriever: Box<dyn Predictor + 'a>,
    ) -> Result<Box<dyn Predictor + 'a>> {
        Ok(retriever)
    }
}

const SENTENCES: usize = 12;
const DISTRACTORS: usize = 3000;

/// A suite over the first TECH sentences whose candidate labels are their gold labels and
/// 3,000 others (embedding all 13,890 ESCO labels twice would take minutes).
fn small_tech_suite(dir: &Path) -> Suite {
    let tech = shared("skill-extraction-benchmark/tech_validation_annotations.csv");
    let bench = load_skill_benchmark(&tech).expect("tech");
    let all =
        LabelSet::load(&shared("skill-extraction-benchmark/skills_en_label.txt")).expect("labels");
    let mut labels: Vec<String> = all.labels().iter().take(DISTRACTORS).cloned().collect();
    for gold in bench.sentences.iter().take(SENTENCES).flat_map(|s| &s.gold) {
        if !labels.contains(gold) {
            labels.push(gold.clone());
        }
    }
    let labels_file = dir.join("labels.txt");
    std::fs::write(&labels_file, labels.join("\n") + "\n").expect("labels file");
    let text = format!(
        r#"name = "tech"
[[eval]]
name = "tech"
task = "extract_skills"
format = "skill_benchmark_csv"
data = "{}"
labels = "{}"
predictor = "keep-order"
metrics = ["rp@5", "mrr"]
limit = {SENTENCES}
"#,
        tech.display(),
        labels_file.display()
    );
    Suite::parse(&text, Path::new("tech.toml")).expect("suite")
}

/// Per-sentence RP@5 and MRR, and the recorded candidate source, of `predictor` under `options`.
fn run(
    suite: &Suite,
    predictor: &str,
    options: &RunOptions,
) -> (Vec<f64>, Option<CandidateSource>) {
    let options = RunOptions {
        predictor_override: Some(predictor.into()),
        ..options.clone()
    };
    let report = run_suite(suite, &options).expect("runs");
    let eval = &report.evals[0];
    assert_eq!((eval.cases, eval.failed), (SENTENCES, 0), "{predictor}");
    let per_case = |metric: &str| eval.metrics[metric].per_case.clone();
    (
        [per_case("rp@5"), per_case("mrr")].concat(),
        eval.candidates_from,
    )
}

#[test]
fn a_reranker_chooses_among_the_candidates_of_the_retriever_it_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = small_tech_suite(dir.path());
    let options = |source: CandidateSource| RunOptions {
        minilm_dir: minilm_dir(),
        encoder_dirs: TunedEncoderDirs::same(
            repo_root().join("shipped/hirelm-encoder-minilm-skills"),
        ),
        cache_dir: Some(dir.path().join("embeddings")),
        check_determinism: false,
        rerankers: vec![Arc::new(KeepOrder(source))],
        ..RunOptions::default()
    };
    let (minilm, none) = run(&suite, "minilm-nn", &options(CandidateSource::Minilm));
    assert_eq!(none, None, "a retriever reranks nothing");
    let (encoder, _) = run(&suite, "encoder-nn", &options(CandidateSource::Minilm));
    assert_ne!(
        minilm, encoder,
        "the two retrievers must rank differently to tell them apart"
    );

    let from_minilm = run(&suite, "keep-order", &options(CandidateSource::Minilm));
    assert_eq!(from_minilm, (minilm.clone(), Some(CandidateSource::Minilm)));
    let from_encoder = run(
        &suite,
        "keep-order",
        &options(CandidateSource::TunedEncoder),
    );
    assert_eq!(from_encoder, (encoder, Some(CandidateSource::TunedEncoder)));
    // The run-wide switch overrides the factory's own choice.
    let forced = RunOptions {
        rerank_from_encoder: false,
        ..options(CandidateSource::TunedEncoder)
    };
    let overridden = run(&suite, "keep-order", &forced);
    assert_eq!(overridden, (minilm, Some(CandidateSource::Minilm)));
}
