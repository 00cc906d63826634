//! A suite's floor on cases (`min_cases` in its TOML): every entry, and every perturbation pack
//! of it, must measure at least that many cases, so that the comparison's paired tests have the
//! power to tell models apart. The check runs before any answer is computed, so a suite that is
//! too small fails in seconds, not after an hour of answers. A quick run (`--limit`) lifts the
//! floor and says so in its report's heading.

use crate::perturb::{Pack, PackContext};
use crate::suite::{EvalSpec, Suite};
use crate::{EvalError, Result};

use super::Prepared;
use super::structured::case_seed;

/// How many of the entry's cases each of its packs changes (and so measures): the structured
/// packs apply where the input has what they edit (a name, a skill), the dictionary text packs
/// where they find a word to replace, and the other text packs to every case.
pub fn pack_sizes(
    spec: &EvalSpec,
    prepared: &Prepared,
    seed: u64,
    ctx: &PackContext,
) -> Vec<(Pack, usize)> {
    let structured = prepared
        .match_cases
        .iter()
        .map(|c| &c.input)
        .chain(prepared.task_cases.iter().map(|c| &c.input));
    let structured: Vec<&serde_json::Value> = structured.collect();
    spec.packs
        .iter()
        .map(|&pack| {
            let texts = prepared.cases.iter().enumerate().filter(|(i, c)| {
                !pack.reports_applicability()
                    || pack.apply_case(&c.text, &c.gold, case_seed(seed, *i), ctx) != c.text
            });
            let inputs = structured
                .iter()
                .enumerate()
                .filter(|(i, v)| pack.apply_json(v, case_seed(seed, *i), ctx).is_some());
            (pack, texts.count() + inputs.count())
        })
        .collect()
}

/// Refuses an entry of `suite` that measures fewer cases than the suite's `min_cases`, on its
/// original inputs or under any of its packs, naming the entry and every count that falls short.
pub fn check_min_cases(
    suite: &Suite,
    spec: &EvalSpec,
    prepared: &Prepared,
    ctx: &PackContext,
) -> Result<()> {
    let Some(floor) = suite.min_cases else {
        return Ok(());
    };
    let cases = prepared.cases.len() + prepared.match_cases.len() + prepared.task_cases.len();
    let mut short = Vec::new();
    if cases < floor {
        short.push(format!("it has {cases} cases"));
    }
    for (pack, n) in pack_sizes(spec, prepared, suite.seed, ctx) {
        if n < floor {
            short.push(format!("pack `{}` applies to {n}", pack.name()));
        }
    }
    if short.is_empty() {
        return Ok(());
    }
    Err(EvalError::config(
        &suite.path,
        format!(
            "entry `{}` ({}) measures fewer cases than the suite's min_cases = {floor}: {}; \
             raise the entry's `limit`, give it more data, or drop the pack \
             (`--limit` runs a quick check without the floor)",
            spec.name,
            spec.data.display(),
            short.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{Case, TaskCase};
    use serde_json::json;

    fn suite(packs: &str, floor: Option<usize>) -> (Suite, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.toml");
        let floor = floor.map_or(String::new(), |n| format!("min_cases = {n}\n"));
        let toml = format!(
            "name = \"s\"\n{floor}[[eval]]\nname = \"e\"\ntask = \"extract_skills\"\n\
             format = \"skill_benchmark_csv\"\ndata = \"d.csv\"\nlabels = \"l.txt\"\n\
             predictor = \"bm25\"\nmetrics = [\"rp@5\"]\nperturbations = [{packs}]\n"
        );
        std::fs::write(&path, toml).expect("write");
        (Suite::load(&path).expect("suite"), dir)
    }

    fn cases(n: usize) -> Prepared {
        Prepared {
            cases: (0..n)
                .map(|i| Case {
                    text: format!("Sentence {i} about welding."),
                    gold: vec!["welding".into()],
                })
                .collect(),
            ..Prepared::default()
        }
    }

    #[test]
    fn an_entry_or_pack_under_the_floor_is_refused_with_both_counts() {
        let ctx = PackContext::default();
        let (s, _dir) = suite("\"casing\"", Some(3));
        check_min_cases(&s, &s.evals[0], &cases(3), &ctx).expect("three cases meet a floor of 3");
        let err = check_min_cases(&s, &s.evals[0], &cases(2), &ctx)
            .expect_err("two cases")
            .to_string();
        assert!(
            err.contains("entry `e`") && err.contains("it has 2 cases") && err.contains("= 3"),
            "{err}"
        );
        // No floor, no check.
        let (s, _dir) = suite("\"casing\"", None);
        check_min_cases(&s, &s.evals[0], &cases(0), &ctx).expect("no floor");
    }

    #[test]
    fn a_quick_run_lifts_the_floor_and_a_config_cap_keeps_it() {
        let (mut s, _dir) = suite("", Some(300));
        assert_eq!(s.min_cases, Some(300));
        s.cap_limit(None);
        assert_eq!(s.min_cases, Some(300));
        s.cap_limit(Some(5));
        assert_eq!((s.min_cases, s.evals[0].limit), (None, Some(5)));
    }

    #[test]
    fn a_structured_pack_counts_only_the_inputs_it_changes() {
        let ctx = PackContext::default();
        let (mut s, _dir) = suite("", Some(2));
        s.evals[0].packs = vec![Pack::ReorderFields];
        let task = |input: serde_json::Value| TaskCase {
            input,
            target: json!({}),
        };
        // Reordering needs a list of at least two items to change anything.
        let prepared = Prepared {
            task_cases: vec![
                task(json!({"candidates": [{"id": "a"}, {"id": "b"}], "must_have": ["x", "y"]})),
                task(json!({"x": 1})),
            ],
            ..Prepared::default()
        };
        let sizes = pack_sizes(&s.evals[0], &prepared, 17, &ctx);
        assert_eq!(sizes, [(Pack::ReorderFields, 1)]);
        let err = check_min_cases(&s, &s.evals[0], &prepared, &ctx)
            .expect_err("pack under the floor")
            .to_string();
        assert!(err.contains("pack `reorder_fields` applies to 1"), "{err}");
    }
}
