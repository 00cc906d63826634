//! Tests of `aliases`.

use super::*;

fn labels() -> LabelSet {
    LabelSet::from_labels(
        [
            "manage musical staff",
            "JavaScript",
            "manage staff",
            "coordinate events",
            "direct actors",
            "direct traffic",
            "direct shows",
            "manage budgets",
            "coordinate shipments",
            "coordinate teams",
            "Python (computer programming)",
            "team building",
        ]
        .map(String::from),
    )
}

const CSV: &str = "id,description\n\
    http://data.europa.eu/esco/skill/1,\"manage musical staff manage staff of music coordinate duties of musical staff manage music staff direct musical staff Assign and manage staff tasks in areas such as scoring, arranging, copying music.\"\n\
    http://data.europa.eu/esco/skill/2,\"JavaScript Client-side JavaScript Mocha Escript CSJS Server-side JavaScript Live Script The techniques and principles of software development in JavaScript.\"\n\
    http://data.europa.eu/esco/skill/3,\"Python (computer programming) Python The techniques of programming in Python.\"\n\
    http://data.europa.eu/esco/skill/4,\"unknown thing with no label Some text.\"\n";

fn aliases() -> SkillAliases {
    SkillAliases::parse(CSV, &labels(), Path::new("skills.csv")).expect("parses")
}

#[test]
fn splits_preferred_alternative_labels_and_definition() {
    let a = aliases();
    assert_eq!((a.len(), a.skipped_rows), (3, 1));
    // `manage` leads the preferred label; `coordinate` and `direct` are starter words
    // (first in 3 labels each, never later); `music` after `manage` is not a cut.
    assert_eq!(
        a.labels_of("Manage Music Staff").expect("indexed"),
        [
            "manage musical staff",
            "manage staff of music",
            "coordinate duties of musical staff",
            "manage music staff",
            "direct musical staff"
        ]
    );
    // Nine unsplittable tokens: no alias, the preferred label only.
    assert_eq!(a.labels_of("javascript").expect("indexed"), ["JavaScript"]);
    assert_eq!(
        a.labels_of("Python").expect("alias indexed"),
        ["Python (computer programming)", "Python"]
    );
    assert_eq!(a.labels_of("Mocha"), None);
}

#[test]
fn segmentation_drops_function_word_edges_and_long_runs() {
    let starters: std::collections::HashSet<String> = ["coordinate".to_string()].into();
    let alt: Vec<&str> = "coordinate the coordinate of staff plan it"
        .split(' ')
        .collect();
    // Cut before the first `coordinate` only (the second follows `the`); the one segment
    // has 7 tokens, over the maximum of 6.
    assert!(segment_alternatives(&alt, "organise staff", &starters).is_empty());
    let alt: Vec<&str> = "organise people of coordinate work".split(' ').collect();
    // `coordinate` follows `of`: no cut; one segment of 5 tokens.
    assert_eq!(
        segment_alternatives(&alt, "organise staff", &starters),
        ["organise people of coordinate work"]
    );
    // `organise | coordinate work`: the lone verb is dropped.
    let alt: Vec<&str> = "organise coordinate work".split(' ').collect();
    assert_eq!(
        segment_alternatives(&alt, "organise staff", &starters),
        ["coordinate work"]
    );
}

#[test]
fn replaces_the_longest_mention_by_another_label() {
    let a = aliases();
    let text = "You will manage musical staff and write JavaScript.";
    for seed in 0..10 {
        let out = a.apply(text, seed).expect("a mention with aliases");
        assert!(
            out.starts_with("You will ") && out.ends_with(" and write JavaScript."),
            "{out}"
        );
        let swapped = &out["You will ".len()..out.len() - " and write JavaScript.".len()];
        assert_ne!(swapped, "manage musical staff");
        assert!(a.labels_of(swapped).is_some(), "{swapped}");
    }
    // An alias back to the qualified preferred label is not used; `Python` has no other.
    assert_eq!(a.apply("Strong Python, please.", 1), None);
    assert_eq!(a.apply("Nothing to see.", 1), None);
    assert_eq!(a.apply("JavaScript only", 1), None, "no other label");
    // A capitalised mention stays capitalised.
    let out = a.apply("Manage music staff daily", 2).expect("applies");
    assert!(
        out.chars().next().is_some_and(char::is_uppercase) && out.ends_with(" daily"),
        "{out}"
    );
}

#[test]
fn word_spans_trim_punctuation_and_keys_ignore_parentheses() {
    let t = "(Python (computer programming)), C++ and C#.";
    let words: Vec<&str> = word_spans(t).into_iter().map(|(s, e)| &t[s..e]).collect();
    assert_eq!(
        words,
        ["Python", "computer", "programming", "C++", "and", "C#"]
    );
    assert_eq!(
        key("Python (computer  programming)"),
        "python computer programming"
    );
}

#[test]
fn missing_file_and_bad_header_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = SkillAliases::load(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("skills.csv") && err.contains("fetch-data.sh"),
        "{err}"
    );
    let err = SkillAliases::parse("uri,text\nx,y\n", &labels(), Path::new("s.csv"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("s.csv:1") && err.contains("id,description"),
        "{err}"
    );
}
