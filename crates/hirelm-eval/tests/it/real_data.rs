//! The real benchmark files: label matching, loaders, and the BM25 baseline's figures.

use hirelm_core::Task;
use hirelm_eval::corpus::benchmark::{LabelSet, load_skill_benchmark};
use hirelm_eval::corpus::skillspan::read_span_records;
use hirelm_eval::corpus::titles::{read_titles, split_titles};
use hirelm_eval::metrics::span::span_f1;
use hirelm_eval::runner::{Case, build_predictor, prepare, run_eval};
use hirelm_eval::suite::Suite;

use crate::shared;

#[test]
fn every_gold_label_of_tech_and_house_finds_its_entry_in_the_label_list() {
    let labels =
        LabelSet::load(&shared("skill-extraction-benchmark/skills_en_label.txt")).expect("labels");
    assert_eq!(labels.len(), 13_896);
    for file in ["tech", "house"] {
        let path = shared(&format!(
            "skill-extraction-benchmark/{file}_validation_annotations.csv"
        ));
        let bench = load_skill_benchmark(&path).expect("benchmark");
        assert!(
            bench.sentences.len() > 50 && bench.ignored_rows > 0,
            "{file}"
        );
        let gold: Vec<&String> = bench.sentences.iter().flat_map(|s| &s.gold).collect();
        let missing: Vec<&&String> = gold.iter().filter(|g| labels.lookup(g).is_none()).collect();
        assert!(
            missing.is_empty(),
            "{file}: gold labels without an entry: {missing:?}"
        );
        assert!(gold.len() > 100, "{file}: {}", gold.len());
    }
}

#[test]
fn titles_and_skillspan_load() {
    let titles = read_titles(&shared("jobbert-titles/titles.csv")).expect("titles");
    assert_eq!(titles.len(), 15_463);
    let split = split_titles(&titles, 10, 17);
    assert!(
        split.heldout.len() > 1000 && split.heldout.len() < 2200,
        "{}",
        split.heldout.len()
    );
    let dev = read_span_records(&shared("skillspan/dev.json")).expect("skillspan");
    assert!(dev.len() > 3000);
    let gold: Vec<Vec<String>> = dev.iter().map(|s| s.tags_skill.clone()).collect();
    assert_eq!(span_f1(&gold, &gold).f1, 1.0, "gold against itself");
}

#[test]
fn the_span_lexicon_fitted_on_skillspan_train_scores_dev_between_trivial_and_perfect() {
    let (train, dev) = (shared("skillspan/train.json"), shared("skillspan/dev.json"));
    let text = format!(
        "name = \"spans\"\n[[eval]]\nname = \"dev\"\ntask = \"extract_skills\"\nformat = \"skillspan_json\"\ndata = \"{}\"\ntrain = \"{}\"\npredictor = \"span-lexicon\"\nmetrics = [\"span_f1\", \"span_f1_skill\", \"span_f1_knowledge\"]\n",
        dev.display(),
        train.display()
    );
    let suite = Suite::parse(&text, std::path::Path::new("spans.toml")).expect("suite");
    let report = hirelm_eval::runner::run_suite(&suite, &Default::default()).expect("runs");
    let eval = &report.evals[0];
    assert_eq!((eval.cases, eval.failed), (3174, 0));
    for metric in ["span_f1", "span_f1_skill", "span_f1_knowledge"] {
        let m = &eval.metrics[metric];
        assert!(m.mean > 0.05 && m.mean < 0.8, "{metric}: {}", m.mean);
        assert!(
            m.ci95.0 <= m.mean && m.mean <= m.ci95.1,
            "{metric}: {:?}",
            m.ci95
        );
    }
    // Fitting on dev itself would find most dev spans: the held-out figure must be well below.
    let memorised = hirelm_eval::baselines::span_lexicon::SpanLexicon::fit(
        &read_span_records(&dev).expect("dev"),
    );
    let on_itself = hirelm_eval::runner::run_span_eval(
        &suite.evals[0],
        &memorised,
        &read_span_records(&dev).expect("dev"),
        1,
    );
    assert!(on_itself.metrics["span_f1"].mean > eval.metrics["span_f1"].mean + 0.2);
}

pub fn tech_suite(predictor: &str) -> Suite {
    let text = format!(
        r#"name = "tech"
[[eval]]
name = "tech"
task = "extract_skills"
format = "skill_benchmark_csv"
data = "{}"
labels = "{}"
predictor = "{predictor}"
metrics = ["rp@5", "rp@10", "mrr", "acc@1"]
perturbations = ["casing", "markdown", "irrelevant_sentence"]
thresholds = {{ "rp@5" = 0.05 }}
"#,
        shared("skill-extraction-benchmark/tech_validation_annotations.csv").display(),
        shared("skill-extraction-benchmark/skills_en_label.txt").display()
    );
    Suite::parse(&text, std::path::Path::new("tech.toml")).expect("suite")
}

#[test]
fn bm25_on_tech_scores_above_chance_and_reports_consistency() {
    let suite = tech_suite("bm25");
    let spec = &suite.evals[0];
    let prepared = prepare(spec, suite.seed).expect("data");
    let cases: Vec<Case> = prepared.cases;
    let p = build_predictor("bm25", Task::ExtractSkills, &prepared.docs, None, None).expect("bm25");
    let r = run_eval(spec, p.as_ref(), &cases, suite.seed);
    assert_eq!(r.failed, 0);
    let rp5 = r.metrics["rp@5"].mean;
    let rp10 = r.metrics["rp@10"].mean;
    // Random ranking of 13,896 labels gives RP@5 ≈ 0.0004; BM25 on label words lands far above.
    assert!(
        rp5 > 0.1 && rp10 >= rp5 * 0.9 && rp5 < 0.9,
        "rp@5 {rp5} rp@10 {rp10}"
    );
    let c = r.consistency.expect("packs ran");
    // BM25 lower-cases its tokens, so casing and Markdown cannot change its answer.
    let casing = r
        .perturbations
        .iter()
        .find(|p| p.pack == "casing")
        .expect("casing");
    assert_eq!(casing.agreement, 1.0);
    assert!(c.worst_case_accuracy <= c.accuracy);
}

#[test]
fn codespell_misspellings_load_from_the_fetched_data() {
    let data = std::env::var_os("HIRELM_DATA_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| crate::repo_root().join("data"));
    assert!(
        data.join("codespell/dictionary.txt").exists(),
        "{}/codespell/dictionary.txt is missing: run scripts/fetch-data.sh",
        data.display()
    );
    let m = hirelm_eval::perturb::Misspellings::load(&data).expect("codespell");
    assert!(m.len() > 10_000, "{}", m.len());
    let out = m.apply("Strong management and communication experience", 1.0, 5);
    assert_ne!(out, "Strong management and communication experience");
    assert_eq!(out.split(' ').count(), 5);
}
