//! The task mix of a run: a per-task cap on training examples, and validation samples that
//! cover every task.
//!
//! The curated data is dominated by the two retrieval tasks (extract_skills and normalise_title
//! are three quarters of it), so a short run drawn uniformly from it barely sees the structured
//! tasks. Capping each task's share keeps the mix balanced; the validation files are written
//! task by task, so their first N rows would measure one task only.

use std::collections::BTreeMap;

use hirelm_core::{Example, Task};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// At most `cap` examples of each task, drawn by `seed`, in their original order.
pub fn cap_per_task(examples: &[Example], cap: usize, seed: u64) -> Vec<Example> {
    let mut by_task: BTreeMap<Task, Vec<usize>> = BTreeMap::new();
    for (i, example) in examples.iter().enumerate() {
        by_task.entry(example.task).or_default().push(i);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut kept: Vec<usize> = Vec::new();
    for indices in by_task.values_mut() {
        if indices.len() > cap {
            indices.shuffle(&mut rng);
            indices.truncate(cap);
        }
        kept.extend(indices.iter().copied());
    }
    kept.sort_unstable();
    kept.into_iter().map(|i| examples[i].clone()).collect()
}

/// `n` indices into `examples` taken round-robin over the tasks present (each task's examples
/// in file order), so every task is represented as evenly as the data allows.
pub fn stratified_indices(examples: &[Example], n: usize) -> Vec<usize> {
    let mut by_task: BTreeMap<Task, std::collections::VecDeque<usize>> = BTreeMap::new();
    for (i, example) in examples.iter().enumerate() {
        by_task.entry(example.task).or_default().push_back(i);
    }
    let mut picked = Vec::with_capacity(n.min(examples.len()));
    while picked.len() < n.min(examples.len()) {
        for queue in by_task.values_mut() {
            if picked.len() < n
                && let Some(i) = queue.pop_front()
            {
                picked.push(i);
            }
        }
    }
    picked
}

/// Number of examples per task, for the run's report.
pub fn task_counts(examples: &[Example]) -> BTreeMap<Task, usize> {
    let mut counts = BTreeMap::new();
    for example in examples {
        *counts.entry(example.task).or_default() += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use hirelm_core::Provenance;
    use serde_json::json;

    fn examples(tasks: &[(Task, usize)]) -> Vec<Example> {
        let mut out = Vec::new();
        for (task, count) in tasks {
            for i in 0..*count {
                out.push(Example {
                    task: *task,
                    input: json!(format!("{task}-{i}")),
                    target: json!({}),
                    provenance: Provenance {
                        source: "test".into(),
                        licence: "CC0-1.0".into(),
                        synthetic: true,
                        seed: 0,
                        group: format!("g{i}"),
                        confidence: None,
                    },
                });
            }
        }
        out
    }

    #[test]
    fn the_cap_keeps_small_tasks_whole_and_is_seeded() {
        let data = examples(&[(Task::ExtractSkills, 10), (Task::ScoreMatch, 2)]);
        let capped = cap_per_task(&data, 3, 7);
        let counts = task_counts(&capped);
        assert_eq!(counts[&Task::ExtractSkills], 3);
        assert_eq!(counts[&Task::ScoreMatch], 2);
        assert_eq!(capped, cap_per_task(&data, 3, 7), "same seed, same subset");
        let ids = |v: &[Example]| v.iter().map(|e| e.input.clone()).collect::<Vec<_>>();
        assert_ne!(
            ids(&capped),
            ids(&cap_per_task(&data, 3, 8)),
            "the seed picks the subset"
        );
        assert_eq!(
            cap_per_task(&data, 100, 7),
            data,
            "a cap above every count keeps everything"
        );
    }

    #[test]
    fn stratified_sample_alternates_tasks() {
        let data = examples(&[
            (Task::NormaliseTitle, 5),
            (Task::ScoreMatch, 1),
            (Task::DraftJobPost, 2),
        ]);
        let picked = stratified_indices(&data, 5);
        let tasks: Vec<Task> = picked.iter().map(|i| data[*i].task).collect();
        assert_eq!(
            tasks,
            [
                Task::DraftJobPost,
                Task::NormaliseTitle,
                Task::ScoreMatch,
                Task::DraftJobPost,
                Task::NormaliseTitle
            ]
        );
        assert_eq!(stratified_indices(&data, 100).len(), data.len());
        assert!(stratified_indices(&[], 3).is_empty());
    }
}
