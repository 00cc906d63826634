//! Packs on structured inputs: the `score_match` input (`hirelm_core::record::MatchInput`) and
//! any input with the same `job` / `candidate` objects (`evaluate_candidate`), plus the other
//! curated tasks' inputs, recognised by their shape:
//!
//! | pack | `job` + `candidate` (score_match, evaluate_candidate) | `candidates` (rank_candidates) | `must_have` (draft_job_post) | `client` + `candidate` windows (schedule_interview) |
//! | --- | --- | --- | --- | --- |
//! | `reorder_fields` | shuffles the candidate's skills | shuffles the candidate list | shuffles the must-have skills | swaps the two sides' availabilities (the common slots are symmetric) |
//! | `name_swap` | the candidate's first name, and every mention of it in `interview_notes` | every candidate whose name's group is known | n/a | n/a |
//! | `pronoun_swap` | every string field (the interview notes) | every string field | n/a in practice | n/a in practice |
//!
//! They edit the JSON value rather than the typed record, so fields this crate does not know
//! survive untouched. A pack that cannot apply to an input (no name in the first-name data, no
//! missing required skill to add, fewer than two skills to reorder, no pronoun anywhere) returns
//! `None`: the case is *not applicable* to it, counted in the report and left out of the pack's
//! agreement and violation rates, since an unchanged input would only inflate them.

use serde_json::Value;

use super::{Pack, PackContext, pronouns::swap_pronouns};
use crate::metrics::stats::SplitMix64;

/// The strings of a JSON array (none for anything else).
pub(crate) fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn lower(items: &[String]) -> Vec<String> {
    items.iter().map(|s| s.to_lowercase()).collect()
}

/// Rewrites every string in `value` with `f`; whether any changed.
fn map_strings(value: &mut Value, f: &dyn Fn(&str) -> (String, bool)) -> bool {
    match value {
        Value::String(s) => {
            let (new, changed) = f(s);
            if changed {
                *s = new;
            }
            changed
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |acc, v| map_strings(v, f) | acc),
        Value::Object(map) => map
            .values_mut()
            .fold(false, |acc, v| map_strings(v, f) | acc),
        _ => false,
    }
}

/// The perturbed input, or `None` when the pack does not apply to it (or is a text pack).
pub(super) fn apply(
    pack: Pack,
    input: &Value,
    rng: &mut SplitMix64,
    ctx: &PackContext,
) -> Option<Value> {
    let mut out = input.clone();
    let required = || input.pointer("/job/required_skills").map(strings);
    let skills = || input.pointer("/candidate/skills").map(strings);
    match pack {
        Pack::NameSwap if input.get("candidates").is_some() => {
            let names = ctx.names.as_ref()?;
            let mut any = false;
            for c in out.get_mut("candidates")?.as_array_mut()? {
                let seed = rng.next_u64();
                if let Some(new) = c
                    .get("name")
                    .and_then(Value::as_str)
                    .and_then(|n| names.swap(n, seed))
                {
                    c["name"] = Value::String(new);
                    any = true;
                }
            }
            if !any {
                return None;
            }
        }
        Pack::NameSwap => {
            let name = input.pointer("/candidate/name")?.as_str()?;
            let new = ctx.names.as_ref()?.swap(name, rng.next_u64())?;
            if let Some(Value::String(notes)) = out.get_mut("interview_notes") {
                *notes = replace_word(notes, name, &new);
            }
            *out.pointer_mut("/candidate/name")? = Value::String(new);
        }
        Pack::PronounSwap => {
            if !map_strings(&mut out, &swap_pronouns) {
                return None;
            }
        }
        Pack::AddRequiredSkill => {
            let (required, skills) = (required()?, skills()?);
            let have = lower(&skills);
            let missing: Vec<&String> = required
                .iter()
                .filter(|r| !have.contains(&r.to_lowercase()))
                .collect();
            let add = missing.get(rng.below(missing.len().max(1)))?;
            let at = rng.below(skills.len() + 1);
            out.pointer_mut("/candidate/skills")?
                .as_array_mut()?
                .insert(at, Value::String((*add).clone()));
        }
        Pack::RemoveRequiredSkill => {
            let (required, skills) = (required()?, skills()?);
            let needed = lower(&required);
            let present: Vec<&String> = skills
                .iter()
                .filter(|s| needed.contains(&s.to_lowercase()))
                .collect();
            let drop = present.get(rng.below(present.len().max(1)))?.to_lowercase();
            out.pointer_mut("/candidate/skills")?
                .as_array_mut()?
                .retain(|s| s.as_str().is_none_or(|s| s.to_lowercase() != drop));
        }
        Pack::ReorderFields
            if input.get("client").is_some() && input.get("candidate").is_some() =>
        {
            let map = out.as_object_mut()?;
            let client = map.remove("client")?;
            let candidate = map.insert("candidate".into(), client)?;
            map.insert("client".into(), candidate);
            if out == *input {
                return None;
            }
        }
        Pack::ReorderFields => {
            let pointer = ["/candidates", "/must_have"]
                .into_iter()
                .find(|p| input.pointer(p).is_some())
                .unwrap_or("/candidate/skills");
            let list = out.pointer_mut(pointer)?.as_array_mut()?;
            if list.iter().all(|s| Some(s) == list.first()) {
                return None;
            }
            let original = list.clone();
            rng.shuffle(list);
            if *list == original {
                list.rotate_left(1);
            }
        }
        _ => return None,
    }
    Some(out)
}

/// `text` with every whole-word occurrence of `word` replaced by `by` (a name in notes:
/// `Brandi was clear` → `James was clear`, never inside `Brandis`).
fn replace_word(text: &str, word: &str, by: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..at]);
        out.push_str(if boundary(before) && boundary(after) {
            by
        } else {
            word
        });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::perturb::NameTable;

    fn input() -> Value {
        json!({
            "job": {"title": "data engineer", "required_skills": ["SQL", "Python (computer programming)", "Rust"], "hours_per_week": 20},
            "candidate": {"id": "c1", "name": "Mary", "skills": ["sql", "Excel", "Rust"], "hourly_rate_usd": 40.0},
        })
    }

    fn ctx() -> PackContext {
        PackContext {
            names: Some(NameTable::from_rows([
                ("mary".into(), 900, 1),
                ("john".into(), 0, 800),
            ])),
            ..PackContext::default()
        }
    }

    #[test]
    fn skill_edits_move_coverage_one_way() {
        let (i, c) = (input(), ctx());
        for seed in 0..20 {
            let added = Pack::AddRequiredSkill
                .apply_json(&i, seed, &c)
                .expect("one required skill is missing");
            let skills = strings(&added["candidate"]["skills"]);
            assert_eq!(skills.len(), 4);
            assert!(
                skills.contains(&"Python (computer programming)".to_string()),
                "{skills:?}"
            );
            let removed = Pack::RemoveRequiredSkill
                .apply_json(&i, seed, &c)
                .expect("two required skills are present");
            let left = strings(&removed["candidate"]["skills"]);
            assert_eq!(left.len(), 2, "{left:?}");
            assert!(left.contains(&"Excel".to_string()));
            assert_eq!(removed["job"], i["job"], "the job is untouched");
        }
        let full = json!({"job": {"required_skills": ["SQL"]}, "candidate": {"skills": ["SQL"]}});
        assert_eq!(Pack::AddRequiredSkill.apply_json(&full, 1, &c), None);
        let none = json!({"job": {"required_skills": ["SQL"]}, "candidate": {"skills": ["Excel"]}});
        assert_eq!(Pack::RemoveRequiredSkill.apply_json(&none, 1, &c), None);
    }

    #[test]
    fn reorder_always_changes_the_order_of_two_or_more() {
        let (i, c) = (input(), ctx());
        for seed in 0..20 {
            let r = Pack::ReorderFields
                .apply_json(&i, seed, &c)
                .expect("applies");
            let mut got = strings(&r["candidate"]["skills"]);
            assert_ne!(got, strings(&i["candidate"]["skills"]), "seed {seed}");
            got.sort();
            assert_eq!(got, ["Excel", "Rust", "sql"]);
        }
        let one = json!({"job": {"required_skills": []}, "candidate": {"skills": ["SQL"]}});
        assert_eq!(Pack::ReorderFields.apply_json(&one, 1, &c), None);
    }

    #[test]
    fn name_and_pronoun_swaps() {
        let (i, c) = (input(), ctx());
        let swapped = Pack::NameSwap
            .apply_json(&i, 3, &c)
            .expect("Mary is in the data");
        assert_eq!(swapped["candidate"]["name"], "John");
        assert_eq!(swapped["candidate"]["skills"], i["candidate"]["skills"]);
        let mut unknown = i.clone();
        unknown["candidate"]["name"] = json!("Zebulon");
        assert_eq!(Pack::NameSwap.apply_json(&unknown, 3, &c), None);
        assert_eq!(
            Pack::NameSwap.apply_json(&i, 3, &PackContext::default()),
            None,
            "no name data"
        );
        // A match input has no free text: pronoun_swap does not apply.
        assert_eq!(Pack::PronounSwap.apply_json(&i, 3, &c), None);
        let mut noted = i.clone();
        noted["interview_notes"] = json!("She explained her design.");
        let p = Pack::PronounSwap
            .apply_json(&noted, 3, &c)
            .expect("applies");
        assert_eq!(p["interview_notes"], "He explained his design.");
        assert_eq!(
            Pack::Casing.apply_json(&i, 3, &c),
            None,
            "text packs do not apply to JSON"
        );
        assert_eq!(
            Pack::NameSwap.apply_json(&json!({"text": "x"}), 3, &c),
            None
        );
    }

    #[test]
    fn other_task_shapes() {
        let c = ctx();
        let rank = json!({"job": {"required_skills": []}, "candidates": [{"id": "a", "name": "Mary"}, {"id": "b", "name": "Zebulon"}, {"id": "c", "name": "John"}]});
        for seed in 0..10 {
            let r = Pack::ReorderFields
                .apply_json(&rank, seed, &c)
                .expect("applies");
            let ids: Vec<&str> = r["candidates"]
                .as_array()
                .expect("list")
                .iter()
                .filter_map(|c| c["id"].as_str())
                .collect();
            assert_ne!(ids, ["a", "b", "c"], "seed {seed}");
        }
        let swapped = Pack::NameSwap
            .apply_json(&rank, 1, &c)
            .expect("two known names");
        assert_eq!(
            (
                swapped["candidates"][0]["name"].as_str(),
                swapped["candidates"][1]["name"].as_str(),
                swapped["candidates"][2]["name"].as_str()
            ),
            (Some("John"), Some("Zebulon"), Some("Mary"))
        );
        let eval = json!({"job": {}, "candidate": {"name": "Mary", "skills": ["a", "b"]}, "interview_notes": "Mary was clear. Maryland office; ask Mary."});
        let e = Pack::NameSwap.apply_json(&eval, 1, &c).expect("applies");
        assert_eq!(
            e["interview_notes"],
            "John was clear. Maryland office; ask John."
        );
        let brief = json!({"must_have": ["x", "y"], "budget": {}});
        assert_eq!(
            Pack::ReorderFields
                .apply_json(&brief, 1, &c)
                .expect("applies")["must_have"],
            json!(["y", "x"])
        );
        let sched = json!({"client": {"time_zone": "A", "windows": ["w1"]}, "candidate": {"time_zone": "B", "windows": ["w2"]}, "duration_minutes": 30});
        let s = Pack::ReorderFields
            .apply_json(&sched, 1, &c)
            .expect("applies");
        assert_eq!(
            (
                s["client"]["time_zone"].as_str(),
                s["candidate"]["time_zone"].as_str(),
                s["duration_minutes"].as_u64()
            ),
            (Some("B"), Some("A"), Some(30))
        );
        let same = json!({"client": {"w": 1}, "candidate": {"w": 1}});
        assert_eq!(
            Pack::ReorderFields.apply_json(&same, 1, &c),
            None,
            "identical sides: no change"
        );
        assert_eq!(
            replace_word("Al and Alan, Al.", "Al", "Bo"),
            "Bo and Alan, Bo."
        );
    }
}
