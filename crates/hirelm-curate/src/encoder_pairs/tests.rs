//! Tests of `encoder_pairs`.

use super::*;

fn skill(preferred: &str, alternatives: &[&str]) -> EscoSkill {
    EscoSkill {
        id: preferred.into(),
        preferred: preferred.into(),
        alternatives: alternatives.iter().map(|a| a.to_string()).collect(),
        definition: Some(format!("The definition of {preferred} in words.")),
        ..EscoSkill::default()
    }
}

fn sentence(text: &str, labels: &[&str]) -> LabelledSentence {
    LabelledSentence {
        sentence: text.into(),
        labels: labels.iter().map(|l| l.to_string()).collect(),
    }
}

#[test]
fn every_source_gives_pairs_and_contaminated_anchors_are_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let eval = dir.path().join("eval.csv");
    std::fs::write(&eval, "sentence\nYou will write Rust services every day.\n").expect("write");
    let decontam = Decontaminator::new(
        &[eval],
        8,
        crate::clean::MinHasher::new(crate::clean::MinHashConfig::default()),
    )
    .expect("index");
    let skills = [skill(
        "use Rust",
        &["Rust programming", "write Rust", "Rust coding"],
    )];
    let sentences = [
        sentence("You will write Rust services every day.", &["use Rust"]),
        sentence(
            "Lead a team, of engineers.",
            &["lead a team", "manage staff, budgets"],
        ),
        sentence("Keep the books.", &["keep accounts"]),
    ];
    let titles = [
        ("Rust developer".to_string(), "u:dev".to_string()),
        ("Rust engineer".into(), "u:dev".into()),
        ("Cook".into(), "u:cook".into()),
    ];
    let options = PairOptions {
        max_alternatives_per_skill: 2,
        concatenated_share: 1.0,
        ..PairOptions::default()
    };
    let set = build_pairs(
        PairSources {
            skills: &skills,
            sentences: &sentences,
            titles: &titles,
        },
        &options,
        Some(&decontam),
    );
    assert_eq!(set.kept[&PairSource::EscoAlternative], 2);
    assert_eq!(set.kept[&PairSource::EscoDefinition], 1);
    // The first sentence is an evaluation sentence: dropped, not trained on.
    assert_eq!(set.kept[&PairSource::SkillSkape], 3);
    assert_eq!(set.contaminated[&PairSource::SkillSkape], 1);
    assert!(
        set.pairs
            .iter()
            .all(|p| p.anchor != "You will write Rust services every day.")
    );
    // Labels are normalised as the benchmark compares them, keys lower-cased.
    assert!(
        set.pairs
            .iter()
            .any(|p| p.positive == "manage staff budgets" && p.key == "manage staff budgets")
    );
    assert!(
        set.kept
            .get(&PairSource::Concatenated)
            .copied()
            .unwrap_or(0)
            >= 1
    );
    // Only the occupation with two titles gives title pairs; each names the other title.
    let titled: Vec<_> = set
        .pairs
        .iter()
        .filter(|p| p.source == PairSource::Title)
        .collect();
    assert_eq!(titled.len(), 2);
    assert!(
        titled
            .iter()
            .all(|p| p.key == "u:dev" && p.anchor != p.positive)
    );
    let card = render_card(&set, &[("ESCO".into(), "test".into())]);
    assert!(card.contains("| skillskape | 3 | 1 |"), "{card}");
    write_pairs(dir.path(), &set, &[]).expect("write");
    assert_eq!(
        hirelm_core::read_encoder_pairs(&dir.path().join("pairs.jsonl")).expect("read"),
        set.pairs
    );
}

#[test]
fn the_same_seed_gives_the_same_pairs() {
    let skills: Vec<EscoSkill> = (0..20)
        .map(|i| skill(&format!("skill {i}"), &["a", "b", "c", "d", "e"]))
        .collect();
    let sources = PairSources {
        skills: &skills,
        sentences: &[],
        titles: &[],
    };
    let options = PairOptions::default();
    assert_eq!(
        build_pairs(sources, &options, None).pairs,
        build_pairs(sources, &options, None).pairs
    );
    let other = PairOptions { seed: 2, ..options };
    assert_ne!(
        build_pairs(sources, &other, None).pairs,
        build_pairs(sources, &PairOptions::default(), None).pairs
    );
}
