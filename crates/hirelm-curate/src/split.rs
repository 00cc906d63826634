//! Group-aware, per-task splits.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use hirelm_core::{Example, Task};

use crate::rng::stable_hash;

/// A dataset split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Split {
    /// Training data.
    Train,
    /// Model selection.
    Valid,
    /// Held-out test.
    Test,
}

impl Split {
    /// Every split, in file order.
    pub const ALL: [Split; 3] = [Split::Train, Split::Valid, Split::Test];

    /// The file stem: `train`, `valid`, `test`.
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Valid => "valid",
            Split::Test => "test",
        }
    }
}

/// Assigns every example a split. For each task, its distinct groups
/// ([`hirelm_core::Provenance::group`]) are ordered by a seeded hash and cut at the fractions, so
/// a group never spans two splits and every task gets the same proportions of groups.
pub fn assign_splits(examples: &[Example], seed: u64, valid: f64, test: f64) -> Vec<Split> {
    let mut groups: BTreeMap<Task, BTreeSet<&str>> = BTreeMap::new();
    for e in examples {
        groups
            .entry(e.task)
            .or_default()
            .insert(e.provenance.group.as_str());
    }
    let mut of_group: HashMap<(Task, &str), Split> = HashMap::new();
    for (task, set) in groups {
        let mut ordered: Vec<&str> = set.into_iter().collect();
        ordered.sort_by_key(|g| (stable_hash(&format!("{seed}/{task}/{g}")), *g));
        let n = ordered.len();
        let n_test = (n as f64 * test).round() as usize;
        let n_valid = (n as f64 * valid).round() as usize;
        for (i, g) in ordered.into_iter().enumerate() {
            let split = if i < n_test {
                Split::Test
            } else if i < n_test + n_valid {
                Split::Valid
            } else {
                Split::Train
            };
            of_group.insert((task, g), split);
        }
    }
    examples
        .iter()
        .map(|e| {
            of_group
                .get(&(e.task, e.provenance.group.as_str()))
                .copied()
                .unwrap_or(Split::Train)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use hirelm_core::Provenance;
    use serde_json::json;

    use super::*;

    fn ex(task: Task, group: &str) -> Example {
        let provenance = Provenance {
            source: "s".into(),
            licence: "l".into(),
            synthetic: true,
            seed: 0,
            group: group.into(),
            confidence: None,
        };
        Example {
            task,
            input: json!(group),
            target: json!({}),
            provenance,
        }
    }

    #[test]
    fn groups_never_straddle_splits_and_fractions_hold_per_task() {
        let mut examples = Vec::new();
        for g in 0..100 {
            for _ in 0..3 {
                examples.push(ex(Task::ExtractSkills, &format!("g{g}")));
            }
            examples.push(ex(Task::NormaliseTitle, &format!("t{g}")));
        }
        let splits = assign_splits(&examples, 42, 0.1, 0.2);
        let mut seen: HashMap<&str, Split> = HashMap::new();
        for (e, s) in examples.iter().zip(&splits) {
            assert_eq!(
                *seen.entry(e.provenance.group.as_str()).or_insert(*s),
                *s,
                "group split across"
            );
        }
        let count = |t: Task, s: Split| {
            examples
                .iter()
                .zip(&splits)
                .filter(|(e, x)| e.task == t && **x == s)
                .count()
        };
        assert_eq!(
            (
                count(Task::NormaliseTitle, Split::Valid),
                count(Task::NormaliseTitle, Split::Test)
            ),
            (10, 20)
        );
        assert_eq!(count(Task::ExtractSkills, Split::Test), 60);
        assert_eq!(splits, assign_splits(&examples, 42, 0.1, 0.2));
        assert_ne!(splits, assign_splits(&examples, 43, 0.1, 0.2));
    }
}
