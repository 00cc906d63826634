//! The one real-model test: MiniLM nearest neighbour over a subset of the ESCO labels (the gold
//! labels of TECH plus the first 1,000 labels), with the embedding cache.

use hirelm_core::Task;
use hirelm_eval::Predictor;
use hirelm_eval::baselines::Document;
use hirelm_eval::baselines::nn::{MiniLm, NearestNeighbour};
use hirelm_eval::corpus::benchmark::{LabelSet, load_skill_benchmark};
use hirelm_eval::io::{input_for, parse_ranked};
use hirelm_eval::metrics::Metric;

use crate::{minilm_dir, shared};

#[test]
fn minilm_nearest_neighbour_ranks_gold_labels_and_caches_embeddings() {
    let model = MiniLm::load(&minilm_dir()).expect("model");
    let labels =
        LabelSet::load(&shared("skill-extraction-benchmark/skills_en_label.txt")).expect("labels");
    let bench = load_skill_benchmark(&shared(
        "skill-extraction-benchmark/tech_validation_annotations.csv",
    ))
    .expect("tech");
    let mut docs: Vec<Document> = labels
        .labels()
        .iter()
        .take(1000)
        .map(|l| Document::new(l.clone(), l.clone()))
        .collect();
    for g in bench.sentences.iter().flat_map(|s| &s.gold) {
        if !docs.iter().any(|d| &d.id == g) {
            docs.push(Document::new(g.clone(), g.clone()));
        }
    }
    let cache = tempfile::tempdir().expect("tempdir");
    let nn = NearestNeighbour::new(&model, Task::ExtractSkills, &docs, 20, Some(cache.path()))
        .expect("index");
    let files = std::fs::read_dir(cache.path()).expect("cache dir").count();
    assert_eq!(files, 1, "embeddings cached");
    let start = std::time::Instant::now();
    let again = NearestNeighbour::new(&model, Task::ExtractSkills, &docs, 20, Some(cache.path()))
        .expect("cached");
    assert!(
        start.elapsed().as_secs_f64() < 1.0,
        "cache hit is fast: {:?}",
        start.elapsed()
    );
    assert_eq!(again.content_hash(), nn.content_hash());

    let inputs: Vec<serde_json::Value> = bench
        .sentences
        .iter()
        .map(|s| input_for(Task::ExtractSkills, &s.sentence))
        .collect();
    let outputs = nn.predict_batch(Task::ExtractSkills, &inputs);
    let mut rr = Vec::new();
    for (o, s) in outputs.iter().zip(&bench.sentences) {
        let ranked =
            parse_ranked(Task::ExtractSkills, &o.as_ref().expect("ok").raw).expect("valid");
        rr.push(Metric::Mrr.score(&ranked, &s.gold).expect("gold"));
    }
    let mrr = rr.iter().sum::<f64>() / rr.len() as f64;
    // Against ~1,300 candidates, chance MRR is about 0.005.
    assert!(mrr > 0.2, "mrr {mrr}");
}

#[test]
fn minilm_matcher_scores_related_profiles_higher_and_ignores_names_and_list_order() {
    use hirelm_eval::baselines::minilm_match::MiniLmMatcher;
    let model = MiniLm::load(&minilm_dir()).expect("model");
    let matcher = MiniLmMatcher::new(&model);
    let score = |input: &serde_json::Value| {
        let p = matcher.predict(Task::ScoreMatch, input).expect("answers");
        let v: serde_json::Value = serde_json::from_str(&p.raw).expect("json");
        hirelm_core::validate(Task::ScoreMatch, &v).expect("schema-valid");
        v["score"].as_f64().expect("score")
    };
    let input = crate::matching::input;
    // The job asks for SQL and Rust (a data engineer); a profile listing both beats one listing Excel.
    let (both, excel) = (
        score(&input("Mary", &["SQL", "Rust"], 40.0)),
        score(&input("Mary", &["Excel"], 40.0)),
    );
    assert!(both > excel, "SQL + Rust {both} vs Excel {excel}");
    assert_eq!(
        score(&input("John", &["SQL", "Rust"], 40.0)),
        both,
        "names are not read"
    );
    assert_eq!(
        score(&input("Mary", &["SQL", "Rust"], 90.0)),
        both,
        "rates are not read"
    );
    let job = input("x", &[], 0.0)["job"].clone();
    let candidate = |id: &str, skills: &[&str]| serde_json::json!({"id": id, "name": "N", "headline": "data engineer", "skills": skills, "hourly_rate_usd": 30.0, "time_zone": "UTC", "hours_per_week": 20});
    let ranked = |candidates: Vec<serde_json::Value>| {
        let p = matcher
            .predict(
                Task::RankCandidates,
                &serde_json::json!({"job": job, "candidates": candidates}),
            )
            .expect("ranks");
        let v: serde_json::Value = serde_json::from_str(&p.raw).expect("json");
        hirelm_core::validate(Task::RankCandidates, &v).expect("schema-valid");
        v
    };
    let forward = ranked(vec![
        candidate("a", &["Excel"]),
        candidate("b", &["SQL", "Rust"]),
    ]);
    assert_eq!(forward["ranking"][0]["profile_id"], "b");
    assert_eq!(
        ranked(vec![
            candidate("b", &["SQL", "Rust"]),
            candidate("a", &["Excel"])
        ]),
        forward,
        "candidate order cannot change the ranking"
    );
}
