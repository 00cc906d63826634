//! Tests of `perturb`.

use super::text::group_thousands;
use super::*;

#[test]
fn packs_parse_and_are_deterministic() {
    for p in Pack::ALL {
        assert_eq!(Pack::parse(p.name()).expect("parses"), p);
    }
    for p in Pack::TEXT {
        let t = "Experience with Java, SQL and 5 years in a $5000 budget role, organising data.";
        assert_eq!(p.apply(t, 9), p.apply(t, 9), "{p:?}");
        assert_eq!(p.expectation(), Expectation::Invariant);
    }
    assert_eq!(
        Pack::AddRequiredSkill.expectation(),
        Expectation::Directional
    );
    assert_eq!(
        Pack::RemoveRequiredSkill.direction(),
        Some(Direction::NotUp)
    );
    assert!(
        Pack::NameSwap.fits(hirelm_core::Task::ScoreMatch)
            && !Pack::NameSwap.fits(hirelm_core::Task::ExtractSkills)
    );
    assert!(
        !Pack::Markdown.fits(hirelm_core::Task::ScoreMatch)
            && Pack::Casing.fits(hirelm_core::Task::EvaluateCandidate)
            && !Pack::Casing.fits(hirelm_core::Task::ScheduleInterview)
            && Pack::ReorderFields.fits(hirelm_core::Task::ScoreMatch)
    );
    assert!(
        Pack::parse("emoji")
            .unwrap_err()
            .to_string()
            .contains("casing")
    );
}

#[test]
fn hand_checked_transforms() {
    assert_eq!(
        Pack::Markdown.apply(" manage staff ", 1),
        "- **manage staff**"
    );
    assert_eq!(
        number_format("5 years, $50000 in 2021, v2 and 12000."),
        "five years, USD 50,000 in 2021, v2 and 12000."
    );
    assert_eq!(group_thousands("1234567"), "1,234,567");
    assert_eq!(title_case("DATA engineer"), "Data Engineer");
    let r = Pack::ReorderFields.apply("a, b, c, d", 3);
    let mut items: Vec<&str> = r.split(", ").collect();
    items.sort_unstable();
    assert_eq!(items, ["a", "b", "c", "d"]);
    assert_eq!(Pack::ReorderFields.apply("no list here", 3), "no list here");
    let noisy = Pack::WhitespacePunct.apply("Use SQL.", 5);
    assert_eq!(
        noisy
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end_matches(['.', '!']),
        "Use SQL"
    );
    let extra = Pack::IrrelevantSentence.apply("Use SQL", 5);
    assert!(
        extra.starts_with("Use SQL. ") && extra.len() > 12,
        "{extra}"
    );
    let cased = Pack::Casing.apply("Use SQL", 5);
    assert_eq!(cased.to_lowercase(), "use sql");
}
