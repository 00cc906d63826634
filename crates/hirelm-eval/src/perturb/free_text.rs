//! Text packs on structured inputs: the fields a person wrote in their own words (interview
//! notes, candidate headlines) rewritten by a text pack, every other field left as it was.
//!
//! Skills, names, rates and time zones are data the answer is computed from; the notes and
//! headlines are prose, and a model that reads them should not change its answer because they
//! were misspelt, re-cased or padded. [`Pack::Synonym`] leaves the words of the input's skill
//! lists and candidate names alone (they are passed as the case's gold labels), so a synonym
//! never renames a skill the answer depends on.

use serde_json::Value;

use super::{Pack, PackContext};

/// The text packs that also rewrite the free-text fields of structured inputs.
pub const FREE_TEXT_PACKS: [Pack; 7] = [
    Pack::Casing,
    Pack::WhitespacePunct,
    Pack::IrrelevantSentence,
    Pack::NumberFormat,
    Pack::BritishAmerican,
    Pack::Misspell,
    Pack::Synonym,
];

/// JSON pointers of `input`'s free-text fields: `interview_notes`, `candidate.headline`, and
/// each `candidates[i].headline`.
pub fn free_text_fields(input: &Value) -> Vec<String> {
    let is_text = |pointer: &str| input.pointer(pointer).is_some_and(Value::is_string);
    let mut fields: Vec<String> = ["/interview_notes", "/candidate/headline"]
        .into_iter()
        .filter(|p| is_text(p))
        .map(str::to_string)
        .collect();
    let listed = input
        .get("candidates")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    fields.extend(
        (0..listed)
            .map(|i| format!("/candidates/{i}/headline"))
            .filter(|p| is_text(p)),
    );
    fields
}

/// The input's skill names and candidate names, which [`Pack::Synonym`] must not rewrite.
fn protected_words(input: &Value) -> Vec<String> {
    let mut words = Vec::new();
    let mut take = |value: Option<&Value>| match value {
        Some(Value::String(s)) => words.push(s.clone()),
        Some(Value::Array(items)) => {
            words.extend(items.iter().filter_map(Value::as_str).map(str::to_string))
        }
        _ => {}
    };
    take(input.pointer("/job/required_skills"));
    take(input.pointer("/candidate/skills"));
    take(input.pointer("/candidate/name"));
    for c in input
        .get("candidates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        take(c.get("skills"));
        take(c.get("name"));
    }
    words
}

/// `input` with each free-text field rewritten by `pack` (each field seeded apart), or `None`
/// when no field changed (no free text, or nothing in it the pack rewrites).
pub(super) fn apply(pack: Pack, input: &Value, seed: u64, ctx: &PackContext) -> Option<Value> {
    let protected = protected_words(input);
    let mut out = input.clone();
    let mut changed = false;
    for (k, pointer) in free_text_fields(input).iter().enumerate() {
        let Some(Value::String(text)) = out.pointer_mut(pointer) else {
            continue;
        };
        let field_seed = seed ^ (k as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let new = pack.apply_case(text, &protected, field_seed, ctx);
        if new != *text {
            *text = new;
            changed = true;
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn evaluation_input() -> Value {
        json!({
            "job": {"title": "nurse", "required_skills": ["patient care", "organise shifts"]},
            "candidate": {"id": "c1", "name": "Mary", "headline": "Experienced nurse, 5 years on wards",
                          "skills": ["patient care"], "hourly_rate_usd": 40.0},
            "interview_notes": "Mary organised the ward rota and was clear about patient care.",
        })
    }

    #[test]
    fn only_the_prose_fields_change() {
        let input = evaluation_input();
        assert_eq!(
            free_text_fields(&input),
            ["/interview_notes", "/candidate/headline"]
        );
        let ctx = PackContext::default();
        for pack in [
            Pack::Casing,
            Pack::WhitespacePunct,
            Pack::IrrelevantSentence,
        ] {
            let out = Pack::apply_json(pack, &input, 3, &ctx).expect("prose to rewrite");
            assert_eq!(out["job"], input["job"], "{pack:?}");
            assert_eq!(out["candidate"]["skills"], input["candidate"]["skills"]);
            assert_eq!(out["candidate"]["name"], input["candidate"]["name"]);
            assert_ne!(out["interview_notes"], input["interview_notes"], "{pack:?}");
        }
        let numbers = Pack::apply_json(Pack::NumberFormat, &input, 3, &ctx).expect("a digit");
        assert_eq!(
            numbers["candidate"]["headline"],
            "Experienced nurse, five years on wards"
        );
        assert_eq!(numbers["interview_notes"], input["interview_notes"]);
    }

    #[test]
    fn inputs_without_prose_are_not_applicable() {
        let schedule = json!({
            "client": {"time_zone": "Europe/Paris", "windows": ["2025-03-10 09:00-12:00"]},
            "candidate": {"time_zone": "UTC", "windows": ["2025-03-10 10:00-11:00"]},
        });
        assert!(free_text_fields(&schedule).is_empty());
        assert_eq!(
            Pack::apply_json(Pack::Casing, &schedule, 1, &PackContext::default()),
            None
        );
        let ranking =
            json!({"candidates": [{"name": "Ann", "headline": "Welder"}, {"name": "Bo"}]});
        assert_eq!(free_text_fields(&ranking), ["/candidates/0/headline"]);
    }

    #[test]
    fn skills_and_names_are_protected_from_synonyms() {
        let words = protected_words(&evaluation_input());
        for w in ["patient care", "organise shifts", "Mary"] {
            assert!(words.iter().any(|p| p == w), "{w} in {words:?}");
        }
    }
}
