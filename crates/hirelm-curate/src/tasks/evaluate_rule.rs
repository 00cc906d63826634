//! The evaluate_candidate rubric rule.
//!
//! Each criterion has a base from the match rule's components (hundredths `c`, see
//! [`super::match_rule`]): `base = 1 + round(4·c)` (0 → 1, 0.5 → 3, 1 → 5) for skill fit, rate
//! fit, time-zone fit and availability, and 3 for communication. The interview notes add evidence
//! `e`: −1 (against), 0 (not mentioned) or +1 (for), and −2..+2 for communication. The score is
//! `clamp(base + e, 1, 5)`; `overall` is the mean of the five scores (exact in hundredths). The
//! justification states the fact behind the base and the evidence, one fixed phrasing each.

use hirelm_core::record::{Candidate, Criterion, MatchJob};
use serde_json::{Value, json};

use super::match_rule::MatchScore;

/// What the notes say about each criterion, in [`Criterion::ALL`] order, with the skill the
/// skill evidence names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evidence {
    /// −1, 0 or +1 for skill fit, rate fit, time-zone fit and availability; −2..=2 for
    /// communication.
    pub levels: [i8; 5],
    /// The skill shown (for) or missing (against) in the interview.
    pub skill: Option<String>,
}

fn base(c: u32) -> i32 {
    1 + ((4 * c + 50) / 100) as i32
}

fn fmt_usd(x: f64) -> String {
    format!("${}", x.round() as i64)
}

/// The rubric scores (1–5, in [`Criterion::ALL`] order) and the evaluate_candidate target.
pub fn evaluate(job: &MatchJob, candidate: &Candidate, evidence: &Evidence) -> ([u8; 5], Value) {
    let m = MatchScore::of(job, candidate);
    let bases = [
        base(m.skill_coverage),
        base(m.rate_fit),
        base(m.time_zone_overlap),
        base(m.availability),
        3,
    ];
    let mut scores = [0u8; 5];
    for i in 0..5 {
        scores[i] = (bases[i] + i32::from(evidence.levels[i])).clamp(1, 5) as u8;
    }
    let listed: Vec<String> = candidate.skills.iter().map(|s| s.to_lowercase()).collect();
    let covered = job
        .required_skills
        .iter()
        .filter(|s| listed.contains(&s.to_lowercase()))
        .count();
    let skill = evidence.skill.as_deref().unwrap_or("a required skill");
    let facts = [
        format!(
            "Lists {covered} of {} required skills",
            job.required_skills.len()
        ),
        if candidate.hourly_rate_usd <= job.budget.max_usd {
            format!(
                "{}/h is within the {} maximum",
                fmt_usd(candidate.hourly_rate_usd),
                fmt_usd(job.budget.max_usd)
            )
        } else {
            format!(
                "{}/h is above the {} maximum",
                fmt_usd(candidate.hourly_rate_usd),
                fmt_usd(job.budget.max_usd)
            )
        },
        format!(
            "{} of 8 working hours overlap",
            (m.time_zone_overlap as f64 * 8.0 / 100.0 * 2.0).round() / 2.0
        ),
        format!(
            "Offers {} of {} hours a week",
            candidate.hours_per_week, job.hours_per_week
        ),
        String::new(),
    ];
    let says = |i: usize| -> &'static str {
        match (i, evidence.levels[i]) {
            (0, 1) => "; demonstrated in the interview:",
            (0, -1) => "; gap shown in the interview:",
            (1, 1) => "; open to negotiating the rate",
            (1, -1) => "; expects a rate increase soon",
            (2, 1) => "; willing to shift hours for meetings",
            (2, -1) => "; cannot join calls outside their own hours",
            (3, 1) => "; can start right away",
            (3, -1) => "; cannot start for several weeks",
            (4, 2) => "Very clear, structured answers in the interview",
            (4, 1) => "Communicated clearly in the interview",
            (4, -1) => "Some answers in the interview were vague",
            (4, -2) => "Answers were hard to follow and often off topic",
            (4, _) => "The notes say nothing notable about communication",
            _ => "",
        }
    };
    let lines: Vec<Value> = Criterion::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut text = format!("{}{}", facts[i], says(i));
            if i == 0 && evidence.levels[0] != 0 {
                text = format!("{text} {skill}");
            }
            json!({"criterion": c.name(), "score": scores[i], "justification": format!("{text}.")})
        })
        .collect();
    let sum: u32 = scores.iter().map(|&s| u32::from(s)).sum();
    let overall = (sum * 20) as f64 / 100.0;
    (scores, json!({"scores": lines, "overall": overall}))
}

#[cfg(test)]
mod tests {
    use hirelm_core::record::{Budget, BudgetKind};

    use super::*;

    #[test]
    fn hand_computed_rubric() {
        let job = MatchJob {
            title: "web developer".into(),
            required_skills: [
                "JavaScript",
                "use markup languages",
                "web programming",
                "CSS",
            ]
            .map(String::from)
            .to_vec(),
            budget: Budget {
                kind: BudgetKind::Hourly,
                min_usd: 30.0,
                max_usd: 50.0,
            },
            time_zone: "Europe/Berlin".into(),
            hours_per_week: 40,
        };
        let cand = Candidate {
            id: "fr-1".into(),
            name: "Maria".into(),
            headline: "web developer".into(),
            skills: ["JavaScript", "CSS", "web programming"]
                .map(String::from)
                .to_vec(),
            hourly_rate_usd: 60.0,
            time_zone: "Europe/London".into(),
            hours_per_week: 20,
        };
        // skill 0.75 → base 4, +1 (showed JavaScript) → 5; rate: 1 − 10/25 = 0.6 → base 3,
        // −1 → 2; time zone: London vs Berlin 7 of 8 = 0.88 → base 5, no evidence → 5;
        // availability 0.5 → base 3, +1 → 4; communication 3 − 1 → 2. Overall 18/5 = 3.6.
        let ev = Evidence {
            levels: [1, -1, 0, 1, -1],
            skill: Some("JavaScript".into()),
        };
        let (scores, target) = evaluate(&job, &cand, &ev);
        assert_eq!(scores, [5, 2, 5, 4, 2]);
        assert_eq!(target["overall"], json!(3.6));
        assert_eq!(
            target["scores"][0]["justification"],
            json!("Lists 3 of 4 required skills; demonstrated in the interview: JavaScript.")
        );
        assert_eq!(
            target["scores"][1]["justification"],
            json!("$60/h is above the $50 maximum; expects a rate increase soon.")
        );
        assert_eq!(
            target["scores"][2]["justification"],
            json!("7 of 8 working hours overlap.")
        );
        hirelm_core::validate(hirelm_core::Task::EvaluateCandidate, &target).expect("valid");
        // Clamped at 1 and 5.
        let ev = Evidence {
            levels: [1, 1, 1, 1, 2],
            skill: Some("CSS".into()),
        };
        assert_eq!(evaluate(&job, &cand, &ev).0, [5, 4, 5, 4, 5]);
    }
}
