//! Skill extraction as a choice among the retriever's candidates: the language model reads the
//! sentence *with* the tuned encoder's top candidates and names the ones the sentence asks for.
//! Scored per candidate (the log-probability of each as the first skill of the answer), this
//! is a listwise reranker that sees every candidate beside the others, which a bi-encoder
//! cannot; [`crate::rerank_fusion`] adds its score to the encoder's.
//!
//! The training examples are made from the encoder's own training sentences: the candidates are
//! the encoder's top `k` for the sentence (its hard negatives, the confusions it actually makes),
//! shown in a seeded random order so the model cannot learn "the first one is right" from an
//! encoder that ranks its training sentences too well; with probability `drop_gold` every gold
//! label is swapped for the next candidates down the ranking, so the model also learns to
//! answer with none, as it must when the encoder misses.

use std::collections::HashSet;

use hirelm_core::{Example, Provenance, Task, normalise_label};
use serde_json::{Value, json};

use crate::metrics::stats::SplitMix64;

/// The input of a choice: the sentence and the candidates, as the user message shows them.
/// Keys serialise sorted (`candidates`, then `text`), the same in training and at inference.
pub fn choice_input(text: &str, candidates: &[String]) -> Value {
    json!({"candidates": candidates, "text": text})
}

/// How training examples are drawn from a sentence's ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChoiceOptions {
    /// Candidates shown per example.
    pub candidates: usize,
    /// Probability of an example whose gold labels were all taken out of the candidates.
    pub drop_gold: f64,
}

/// A training example for `text` (gold labels `gold`) from the encoder's ranking `ranked`
/// (best first; at least `candidates` entries, more so that dropped gold labels can be
/// replaced). Labels compare by [`normalise_label`]; the target names the gold candidates in
/// the order they are shown, with the candidates' spelling, so the answer copies the prompt.
/// `None` when `ranked` is too short to show `candidates` labels.
pub fn choice_example(
    text: &str,
    gold: &[String],
    ranked: &[String],
    options: ChoiceOptions,
    rng: &mut SplitMix64,
    provenance: Provenance,
) -> Option<Example> {
    let gold: HashSet<String> = gold.iter().map(|g| normalise_label(g)).collect();
    let is_gold = |label: &String| gold.contains(&normalise_label(label));
    let drop = rng.unit() < options.drop_gold;
    let mut shown: Vec<String> = ranked
        .iter()
        .filter(|label| !drop || !is_gold(label))
        .take(options.candidates)
        .cloned()
        .collect();
    if shown.len() < options.candidates {
        return None;
    }
    rng.shuffle(&mut shown);
    let skills: Vec<&String> = shown.iter().filter(|label| is_gold(label)).collect();
    Some(Example {
        task: Task::ExtractSkills,
        input: choice_input(text, &shown),
        target: json!({ "skills": skills }),
        provenance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provenance() -> Provenance {
        Provenance {
            source: "test".into(),
            licence: "MIT".into(),
            synthetic: true,
            seed: 1,
            group: "g".into(),
            confidence: None,
        }
    }

    fn ranking() -> Vec<String> {
        [
            "use Python",
            "use Java",
            "SQL",
            "manage staff",
            "teamwork principles",
        ]
        .map(String::from)
        .to_vec()
    }

    /// `choice_example` with seed 3 and the test provenance.
    fn choose(
        gold: &[&str],
        ranked: &[String],
        candidates: usize,
        drop_gold: f64,
    ) -> Option<Example> {
        let gold: Vec<String> = gold.iter().map(|g| g.to_string()).collect();
        let options = ChoiceOptions {
            candidates,
            drop_gold,
        };
        choice_example(
            "Python and SQL",
            &gold,
            ranked,
            options,
            &mut SplitMix64::new(3),
            provenance(),
        )
    }

    /// The candidates an example shows.
    fn shown(example: &Example) -> Vec<String> {
        serde_json::from_value(example.input["candidates"].clone()).expect("a list")
    }

    #[test]
    fn the_target_names_the_gold_candidates_shown_with_their_spelling() {
        let example =
            choose(&["SQL", "use  Python"], &ranking(), 4, 0.0).expect("enough candidates");
        let shown = shown(&example);
        let mut sorted = shown.clone();
        sorted.sort();
        assert_eq!(sorted, ["SQL", "manage staff", "use Java", "use Python"]);
        let skills: Vec<String> =
            serde_json::from_value(example.target["skills"].clone()).expect("a list");
        let in_shown_order: Vec<String> = shown
            .iter()
            .filter(|s| *s == "SQL" || *s == "use Python")
            .cloned()
            .collect();
        assert_eq!(skills, in_shown_order);
        assert_eq!(example.input["text"], "Python and SQL");
        example.validate().expect("a valid extract_skills answer");
    }

    #[test]
    fn a_dropped_gold_is_replaced_from_further_down_and_the_answer_is_empty() {
        let example = choose(&["use Java"], &ranking(), 4, 1.0).expect("enough candidates");
        let shown = shown(&example);
        assert!(!shown.contains(&"use Java".to_string()), "{shown:?}");
        assert!(shown.contains(&"teamwork principles".to_string()));
        assert_eq!(example.target, json!({"skills": []}));
        // Too short a ranking to fill the candidates: no example.
        let too_few = choose(&["use Java"], &ranking()[..4], 4, 1.0);
        assert!(too_few.is_none());
    }

    #[test]
    fn the_order_shown_is_seeded_and_varies_between_examples() {
        let options = ChoiceOptions {
            candidates: 5,
            drop_gold: 0.0,
        };
        let draw = |rng: &mut SplitMix64| {
            choice_example("x", &[], &ranking(), options, rng, provenance())
                .expect("enough")
                .input
        };
        let (mut a, mut b) = (SplitMix64::new(9), SplitMix64::new(9));
        assert_eq!(draw(&mut a), draw(&mut b));
        let orders: std::collections::HashSet<String> =
            (0..8).map(|_| draw(&mut a).to_string()).collect();
        assert!(orders.len() > 1, "eight draws in one order");
    }
}
