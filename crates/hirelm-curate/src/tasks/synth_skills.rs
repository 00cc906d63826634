//! extract_skills from ESCO: sentences synthesised from skill labels and definitions.
//!
//! Verb-led labels (`manage musical staff`) and noun labels (`Haskell`) get different phrasing:
//! a label is verb-led when its first word starts at least 15 ESCO labels (manage, apply, use, …).
//! Some sentences name two skills; a third of the skills with a definition also yield the
//! definition's first sentence as input (it describes the skill without naming it).

use std::collections::HashMap;

use hirelm_core::{Example, Task};
use serde_json::json;

use super::{ESCO_LICENCE, ESCO_SOURCE, provenance};
use crate::esco::EscoConcept;
use crate::rng::Rng;

const VERB_ONE: [&str; 6] = [
    "You will {}.",
    "The ideal candidate is able to {}.",
    "Ability to {} is essential for this role.",
    "Your main responsibility will be to {}.",
    "We expect you to {} independently.",
    "Must be able to {} under time pressure.",
];
const NOUN_ONE: [&str; 6] = [
    "Knowledge of {} is required.",
    "Experience with {} is a strong plus.",
    "You have a solid background in {}.",
    "Familiarity with {} is desirable.",
    "Proven expertise in {}.",
    "Working knowledge of {} is expected from day one.",
];
const VERB_TWO: [&str; 3] = [
    "You will {} and {}.",
    "Day to day you {} and also {}.",
    "The role requires you to {} as well as {}.",
];
const NOUN_TWO: [&str; 3] = [
    "Experience with {} and {} is required.",
    "You know {} and ideally {}.",
    "Strong skills in {} and {}.",
];

fn fill(template: &str, parts: &[&str]) -> String {
    let mut out = template.to_string();
    for p in parts {
        out = out.replacen("{}", p, 1);
    }
    out
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

/// Sentences for `per_skill` phrasings of each of the first `max_skills` skills (0 = all) in a
/// seeded order. The group is the primary skill's URI.
pub fn synthesize_skill_sentences(
    skills: &[EscoConcept],
    per_skill: usize,
    max_skills: usize,
    seed: u64,
) -> Vec<Example> {
    let mut first_words: HashMap<&str, usize> = HashMap::new();
    for s in skills {
        if let Some(w) = s.label.split(' ').next() {
            *first_words.entry(w).or_default() += 1;
        }
    }
    let verb_led = |label: &str| {
        label
            .split(' ')
            .next()
            .is_some_and(|w| first_words.get(w).is_some_and(|&n| n >= 15))
    };
    let mut order: Vec<usize> = (0..skills.len()).collect();
    let mut rng = Rng::derive(seed, "synth_skills/order");
    rng.shuffle(&mut order);
    if max_skills > 0 {
        order.truncate(max_skills);
    }
    let mut out = Vec::new();
    for &i in &order {
        let skill = &skills[i];
        let mut rng = Rng::derive(seed, &skill.uri);
        let verb = verb_led(&skill.label);
        for k in 0..per_skill {
            let (text, labels) = if k % 2 == 1 {
                let other = &skills[rng.below(skills.len())];
                let template = if verb && verb_led(&other.label) {
                    VERB_TWO[rng.below(VERB_TWO.len())]
                } else if !verb && !verb_led(&other.label) {
                    NOUN_TWO[rng.below(NOUN_TWO.len())]
                } else {
                    "Responsibilities include work where you {} - and knowledge of {} helps."
                };
                let parts = if template.starts_with("Responsibilities") && !verb {
                    [other.label.as_str(), skill.label.as_str()]
                } else {
                    [skill.label.as_str(), other.label.as_str()]
                };
                let mut labels = vec![skill.label.clone(), other.label.clone()];
                labels.sort();
                labels.dedup();
                (fill(template, &parts), labels)
            } else {
                let table = if verb { &VERB_ONE } else { &NOUN_ONE };
                (
                    fill(table[rng.below(table.len())], &[&skill.label]),
                    vec![skill.label.clone()],
                )
            };
            out.push(Example {
                task: Task::ExtractSkills,
                input: json!(text),
                target: json!({"skills": labels}),
                provenance: provenance(ESCO_SOURCE, ESCO_LICENCE, true, seed, skill.uri.clone()),
            });
        }
        if !skill.definition.is_empty() && rng.below(3) == 0 {
            out.push(Example {
                task: Task::ExtractSkills,
                input: json!(first_sentence(&skill.definition)),
                target: json!({"skills": [skill.label]}),
                provenance: provenance(ESCO_SOURCE, ESCO_LICENCE, true, seed, skill.uri.clone()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concept(i: usize, label: &str) -> EscoConcept {
        EscoConcept {
            uri: format!("u{i}"),
            label: label.into(),
            alt_text: String::new(),
            definition: "Do it well. More.".into(),
        }
    }

    #[test]
    fn sentences_name_their_labels_and_are_seeded() {
        let mut skills: Vec<EscoConcept> = (0..20)
            .map(|i| concept(i, &format!("manage thing {i}")))
            .collect();
        skills.push(concept(99, "Haskell"));
        let a = synthesize_skill_sentences(&skills, 2, 0, 5);
        assert!(a.len() >= 42);
        for e in &a {
            hirelm_core::validate(e.task, &e.target).expect("valid target");
            let text = e.input.as_str().unwrap_or_default();
            for label in e.target["skills"].as_array().into_iter().flatten() {
                let label = label.as_str().unwrap_or_default();
                assert!(
                    text.contains(label) || text == "Do it well.",
                    "{text} / {label}"
                );
            }
        }
        assert!(
            a.iter()
                .any(|e| e.input == json!("You will manage thing 3.")
                    || e.input.as_str().is_some_and(|t| t.contains("manage thing")))
        );
        assert_eq!(a, synthesize_skill_sentences(&skills, 2, 0, 5));
        assert_ne!(a, synthesize_skill_sentences(&skills, 2, 0, 6));
    }
}
