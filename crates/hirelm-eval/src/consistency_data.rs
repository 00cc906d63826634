//! Consistency training data: the curated examples plus copies whose inputs a perturbation
//! family rewrote, each copy keeping the clean example's answer as its target, so the model
//! learns that a misspelt, re-cased or reordered input has the same answer.
//!
//! The families are the evaluation's invariant packs ([`Pack`]), applied as the evaluation
//! applies them: text packs to text inputs (the example's gold skills protected from
//! [`Pack::Synonym`]), structured packs and [`free_text`](crate::perturb::free_text) rewrites to
//! JSON inputs. A plan names the families kept out of training too, so that the flip rate on
//! those (families the model never saw) can be reported apart from the trained ones: a gain that
//! shows only on trained families is a model tuned to the packs, not a more consistent one.
//! Directional packs change the right answer and are refused.

use std::collections::BTreeMap;

use hirelm_core::Example;
use serde_json::Value;

use crate::metrics::stats::SplitMix64;
use crate::perturb::structured::strings;
use crate::perturb::{Expectation, Pack, PackContext};
use crate::{EvalError, Result};

/// Which families rewrite training inputs, which are held out, and how many copies to make.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsistencyPlan {
    /// Families applied to training inputs.
    pub families: Vec<Pack>,
    /// Families never applied to training data.
    pub held_out: Vec<Pack>,
    /// Perturbed copies per example, each by a different applicable family.
    pub copies: usize,
    /// Seed of the family choice and of each rewrite.
    pub seed: u64,
}

impl ConsistencyPlan {
    /// Parses family names, refusing unknown or directional packs, a family both trained on and
    /// held out, fewer than two held-out families, and zero copies.
    pub fn parse(
        families: &[String],
        held_out: &[String],
        copies: usize,
        seed: u64,
    ) -> Result<Self> {
        let parse = |names: &[String]| -> Result<Vec<Pack>> {
            names.iter().map(|n| Pack::parse(n)).collect()
        };
        let (families, held_out) = (parse(families)?, parse(held_out)?);
        if let Some(p) = families
            .iter()
            .chain(&held_out)
            .find(|p| p.expectation() != Expectation::Invariant)
        {
            return Err(EvalError::Invalid(format!(
                "consistency: `{}` is a directional pack (it changes the right answer), not an invariant family",
                p.name()
            )));
        }
        if let Some(p) = families.iter().find(|p| held_out.contains(p)) {
            return Err(EvalError::Invalid(format!(
                "consistency: `{}` is both a training family and held out",
                p.name()
            )));
        }
        if families.is_empty() || held_out.len() < 2 || copies == 0 {
            return Err(EvalError::Invalid(
                "consistency: name at least one training family, at least two held-out families, and at least one copy".into(),
            ));
        }
        Ok(Self {
            families,
            held_out,
            copies,
            seed,
        })
    }
}

/// The training set with its perturbed copies, and how they were made.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsistencyData {
    /// Every clean example, each followed by its copies.
    pub examples: Vec<Example>,
    /// Copies made by each family.
    pub per_family: BTreeMap<Pack, usize>,
    /// Clean examples no training family could rewrite (no copy made).
    pub untouched: usize,
}

/// The gold labels a text pack must leave alone: the target's skills, when it lists any.
fn gold_labels(example: &Example) -> Vec<String> {
    strings(&example.target["skills"])
}

/// `example`'s input rewritten by `pack`, or `None` when the pack does not fit the task or
/// leaves the input unchanged.
fn perturb(example: &Example, pack: Pack, seed: u64, ctx: &PackContext) -> Option<Value> {
    if !pack.fits(example.task) {
        return None;
    }
    let out = match &example.input {
        Value::String(text) => {
            Value::String(pack.apply_case(text, &gold_labels(example), seed, ctx))
        }
        other => pack.apply_json(other, seed, ctx)?,
    };
    (out != example.input).then_some(out)
}

/// Each example of `examples`, followed by up to `plan.copies` copies rewritten by distinct
/// training families chosen at random among those that change its input.
pub fn with_perturbed_copies(
    examples: &[Example],
    plan: &ConsistencyPlan,
    ctx: &PackContext,
) -> ConsistencyData {
    let mut out = Vec::with_capacity(examples.len() * (1 + plan.copies));
    let mut per_family = BTreeMap::new();
    let mut untouched = 0;
    for (i, example) in examples.iter().enumerate() {
        let mut rng = SplitMix64::new(plan.seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut order = plan.families.clone();
        rng.shuffle(&mut order);
        out.push(example.clone());
        let mut made: Vec<Value> = Vec::new();
        for pack in order {
            if made.len() == plan.copies {
                break;
            }
            let Some(input) = perturb(example, pack, rng.next_u64(), ctx) else {
                continue;
            };
            if made.contains(&input) {
                continue;
            }
            made.push(input.clone());
            *per_family.entry(pack).or_insert(0) += 1;
            let mut copy = example.clone();
            copy.input = input;
            copy.provenance.source = format!("{}+perturb:{}", copy.provenance.source, pack.name());
            copy.provenance.synthetic = true;
            out.push(copy);
        }
        if made.is_empty() {
            untouched += 1;
        }
    }
    ConsistencyData {
        examples: out,
        per_family,
        untouched,
    }
}

#[cfg(test)]
mod tests {
    use hirelm_core::{Provenance, Task};
    use serde_json::json;

    use super::*;

    fn example(task: Task, input: Value, target: Value) -> Example {
        Example {
            task,
            input,
            target,
            provenance: Provenance {
                source: "test".into(),
                licence: "CC0-1.0".into(),
                synthetic: false,
                seed: 0,
                group: "g".into(),
                confidence: None,
            },
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn plans_refuse_what_would_not_measure_consistency() {
        let plan = |f: &[&str], h: &[&str]| ConsistencyPlan::parse(&names(f), &names(h), 1, 0);
        assert!(plan(&["casing"], &["name_swap", "synonym"]).is_ok());
        let overlap = plan(&["casing", "synonym"], &["name_swap", "synonym"]).unwrap_err();
        assert!(
            overlap.to_string().contains("`synonym` is both"),
            "{overlap}"
        );
        let one = plan(&["casing"], &["synonym"]).unwrap_err();
        assert!(one.to_string().contains("two held-out"), "{one}");
        let directional = plan(&["add_required_skill"], &["name_swap", "synonym"]).unwrap_err();
        assert!(
            directional.to_string().contains("directional"),
            "{directional}"
        );
        assert!(plan(&["emoji"], &["name_swap", "synonym"]).is_err());
    }

    #[test]
    fn copies_keep_the_clean_answer_and_use_training_families_only() {
        let evaluation = example(
            Task::EvaluateCandidate,
            json!({
                "job": {"title": "nurse", "required_skills": ["patient care"]},
                "candidate": {"name": "Mary", "headline": "Ward nurse", "skills": ["patient care", "triage"]},
                "interview_notes": "Mary was calm and clear.",
            }),
            json!({"scores": [], "overall": 3.0}),
        );
        let skills = example(
            Task::ExtractSkills,
            json!("Experience with SQL is required."),
            json!({"skills": ["SQL"]}),
        );
        let schedule = example(
            Task::ScheduleInterview,
            json!({"client": {"time_zone": "UTC", "windows": []}, "candidate": {"time_zone": "UTC", "windows": []}}),
            json!({"slots": []}),
        );
        let plan = ConsistencyPlan {
            families: vec![Pack::Casing, Pack::ReorderFields, Pack::WhitespacePunct],
            held_out: vec![Pack::NameSwap, Pack::Synonym],
            copies: 2,
            seed: 7,
        };
        let data = with_perturbed_copies(
            &[evaluation.clone(), skills.clone(), schedule.clone()],
            &plan,
            &PackContext::default(),
        );
        // Two copies each for the evaluation and the sentence; the identical availabilities
        // make every family a no-op on the schedule, which is counted, not copied.
        assert_eq!(data.examples.len(), 3 + 2 + 2);
        assert_eq!(data.untouched, 1);
        assert_eq!(data.per_family.values().sum::<usize>(), 4);
        assert!(data.per_family.keys().all(|p| plan.families.contains(p)));
        assert_eq!(data.examples[0], evaluation);
        for copy in &data.examples[1..3] {
            assert_eq!(copy.target, evaluation.target);
            assert_ne!(copy.input, evaluation.input);
            assert_eq!(copy.input["candidate"]["name"], "Mary");
            assert!(copy.provenance.source.starts_with("test+perturb:"));
            assert_eq!(copy.provenance.group, evaluation.provenance.group);
        }
        assert_ne!(data.examples[1].input, data.examples[2].input);
        assert_eq!(data.examples[3], skills);
        assert_eq!(data.examples[4].target, skills.target);
        assert_eq!(*data.examples.last().expect("rows"), schedule);
        let again = with_perturbed_copies(
            &[evaluation, skills, schedule],
            &plan,
            &PackContext::default(),
        );
        assert_eq!(again, data, "seeded");
    }
}
