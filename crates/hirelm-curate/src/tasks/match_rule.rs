//! The one match rule behind score_match, rank_candidates and the evaluate_candidate rubric.
//!
//! Every quantity is in hundredths (integers), so a target can be re-derived by hand:
//!
//! | component | definition (rounded to hundredths) |
//! | --- | --- |
//! | `skill_coverage` | required skills the candidate lists ÷ required skills (labels, case-insensitive; 1 when none are required) |
//! | `rate_fit` | 1 when the rate is at most the budget maximum, 0 at 1.5 × the maximum or above, linear in between |
//! | `time_zone_overlap` | hours shared by both 09:00–17:00 local working days ÷ 8, UTC offsets taken at [`REFERENCE_INSTANT`] |
//! | `availability` | candidate hours per week ÷ job hours per week, at most 1 |
//!
//! `score = 0.50·skill_coverage + 0.20·rate_fit + 0.15·time_zone_overlap + 0.15·availability`,
//! rounded half up to hundredths. Label: `strong` from 0.80, `good` from 0.65, `partial` from
//! 0.45, else `poor`; a candidate covering under half of the required skills is at most
//! `partial`. A ranking sorts candidates by score, best first, ties by profile id. An unknown
//! time zone overlaps nothing.

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use hirelm_core::MATCH_THRESHOLDS;
use hirelm_core::record::{Candidate, MatchJob};
use serde_json::{Value, json};

/// The instant UTC offsets are taken at (a northern-winter weekday), so the rule does not depend
/// on when it runs.
pub const REFERENCE_INSTANT: &str = "2025-01-15T12:00:00Z";
/// Weights in hundredths: skill coverage, rate fit, time-zone overlap, availability.
pub const WEIGHTS: [u32; 4] = [50, 20, 15, 15];
/// Below this skill coverage (hundredths) the label is at most `partial`.
pub const MIN_COVERAGE_FOR_GOOD: u32 = 50;

/// A match in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchScore {
    /// Skill coverage, 0–100.
    pub skill_coverage: u32,
    /// Rate fit, 0–100.
    pub rate_fit: u32,
    /// Time-zone overlap, 0–100.
    pub time_zone_overlap: u32,
    /// Availability, 0–100.
    pub availability: u32,
    /// Weighted score, 0–100.
    pub score: u32,
}

fn hundredths(x: f64) -> u32 {
    (x.clamp(0.0, 1.0) * 100.0).round() as u32
}

/// The UTC offset of `zone` at [`REFERENCE_INSTANT`], in minutes.
pub fn utc_offset_minutes(zone: &str) -> Option<i32> {
    let tz: Tz = zone.parse().ok()?;
    let at: DateTime<Utc> = REFERENCE_INSTANT.parse().ok()?;
    Some(
        tz.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
            / 60,
    )
}

/// Shared hours of two 09:00–17:00 working days in `a` and `b`, in hundredths of the 8 hours.
pub fn time_zone_overlap(a: &str, b: &str) -> u32 {
    let (Some(x), Some(y)) = (utc_offset_minutes(a), utc_offset_minutes(b)) else {
        return 0;
    };
    let d = (x - y).rem_euclid(24 * 60);
    let d = d.min(24 * 60 - d);
    hundredths((8 * 60 - d).max(0) as f64 / (8.0 * 60.0))
}

impl MatchScore {
    /// Applies the rule.
    pub fn of(job: &MatchJob, candidate: &Candidate) -> Self {
        let listed: Vec<String> = candidate.skills.iter().map(|s| s.to_lowercase()).collect();
        let covered = job
            .required_skills
            .iter()
            .filter(|s| listed.contains(&s.to_lowercase()))
            .count();
        let skill_coverage = if job.required_skills.is_empty() {
            100
        } else {
            hundredths(covered as f64 / job.required_skills.len() as f64)
        };
        let max = job.budget.max_usd;
        let rate = candidate.hourly_rate_usd;
        let rate_fit = if rate <= max {
            100
        } else if max <= 0.0 {
            0
        } else {
            hundredths(1.0 - (rate - max) / (0.5 * max))
        };
        let time_zone_overlap = time_zone_overlap(&job.time_zone, &candidate.time_zone);
        let availability = if job.hours_per_week == 0 {
            100
        } else {
            hundredths(candidate.hours_per_week as f64 / job.hours_per_week as f64)
        };
        let sum = WEIGHTS[0] * skill_coverage
            + WEIGHTS[1] * rate_fit
            + WEIGHTS[2] * time_zone_overlap
            + WEIGHTS[3] * availability;
        MatchScore {
            skill_coverage,
            rate_fit,
            time_zone_overlap,
            availability,
            score: (sum + 50) / 100,
        }
    }

    /// The label (one of [`hirelm_core::MATCH_LABELS`]).
    pub fn label(&self) -> &'static str {
        let by_score = if self.score >= MATCH_THRESHOLDS[0] {
            0
        } else if self.score >= MATCH_THRESHOLDS[1] {
            1
        } else if self.score >= MATCH_THRESHOLDS[2] {
            2
        } else {
            3
        };
        let cap = if self.skill_coverage < MIN_COVERAGE_FOR_GOOD {
            2
        } else {
            0
        };
        hirelm_core::MATCH_LABELS[by_score.max(cap)]
    }

    /// The score_match target.
    pub fn target(&self) -> Value {
        let u = |x: u32| x as f64 / 100.0;
        json!({
            "label": self.label(),
            "score": u(self.score),
            "components": {
                "skill_coverage": u(self.skill_coverage),
                "rate_fit": u(self.rate_fit),
                "time_zone_overlap": u(self.time_zone_overlap),
                "availability": u(self.availability),
            },
        })
    }
}

/// The rank_candidates target: every candidate with its score, best first, ties by id.
pub fn ranking(job: &MatchJob, candidates: &[Candidate]) -> Value {
    let mut scored: Vec<(u32, &str)> = candidates
        .iter()
        .map(|c| (MatchScore::of(job, c).score, c.id.as_str()))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let ranking: Vec<Value> = scored
        .into_iter()
        .map(|(s, id)| json!({"profile_id": id, "score": s as f64 / 100.0}))
        .collect();
    json!({ "ranking": ranking })
}

#[cfg(test)]
mod tests {
    use hirelm_core::record::{Budget, BudgetKind};

    use super::*;

    fn job() -> MatchJob {
        MatchJob {
            title: "software developer".into(),
            required_skills: [
                "debug software",
                "Python (computer programming)",
                "use databases",
                "agile development",
            ]
            .map(String::from)
            .to_vec(),
            budget: Budget {
                kind: BudgetKind::Hourly,
                min_usd: 45.0,
                max_usd: 60.0,
            },
            time_zone: "America/New_York".into(),
            hours_per_week: 30,
        }
    }

    fn candidate(id: &str, skills: &[&str], rate: f64, zone: &str, hours: u32) -> Candidate {
        Candidate {
            id: id.into(),
            name: "Emily".into(),
            headline: "software developer".into(),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            hourly_rate_usd: rate,
            time_zone: zone.into(),
            hours_per_week: hours,
        }
    }

    #[test]
    fn hand_computed_strong_match() {
        // 3 of 4 skills = 0.75; $55 ≤ $60 → 1; New York (UTC-5) vs Chicago (UTC-6): 7 of 8 h
        // = 0.875 → 0.88; 30 of 30 h → 1.
        // 50·75 + 20·100 + 15·88 + 15·100 = 8570 → 0.86 (half up) → strong.
        let c = candidate(
            "a",
            &[
                "debug software",
                "python (computer programming)",
                "use databases",
                "Java",
            ],
            55.0,
            "America/Chicago",
            30,
        );
        let m = MatchScore::of(&job(), &c);
        assert_eq!(
            (
                m.skill_coverage,
                m.rate_fit,
                m.time_zone_overlap,
                m.availability,
                m.score
            ),
            (75, 100, 88, 100, 86)
        );
        assert_eq!(m.label(), "strong");
        assert_eq!(
            m.target(),
            json!({"label": "strong", "score": 0.86, "components": {"skill_coverage": 0.75, "rate_fit": 1.0, "time_zone_overlap": 0.88, "availability": 1.0}})
        );
        hirelm_core::validate(hirelm_core::Task::ScoreMatch, &m.target()).expect("valid");
    }

    #[test]
    fn hand_computed_rate_time_zone_and_availability_penalties() {
        // 2 of 4 = 0.5; $75 vs max $60: 1 − 15/30 = 0.5; New York vs Kolkata (UTC+5:30):
        // 10.5 h apart → 0; 15 of 30 h = 0.5. 50·50 + 20·50 + 0 + 15·50 = 4250 → 0.43 → poor.
        let c = candidate(
            "b",
            &["debug software", "use databases"],
            75.0,
            "Asia/Kolkata",
            15,
        );
        let m = MatchScore::of(&job(), &c);
        assert_eq!(
            (
                m.skill_coverage,
                m.rate_fit,
                m.time_zone_overlap,
                m.availability,
                m.score
            ),
            (50, 50, 0, 50, 43)
        );
        assert_eq!(m.label(), "poor");
        // Berlin (UTC+1) vs New York: 6 h apart → 2 of 8 = 0.25; $90 ≥ 1.5 × 60 → 0.
        assert_eq!(time_zone_overlap("America/New_York", "Europe/Berlin"), 25);
        assert_eq!(
            MatchScore::of(&job(), &candidate("c", &[], 90.0, "UTC", 30)).rate_fit,
            0
        );
        // Across midnight: Los Angeles (UTC-8) vs Sydney (UTC+11 in January): 19 h → 5 h apart.
        assert_eq!(
            time_zone_overlap("America/Los_Angeles", "Australia/Sydney"),
            38
        );
        assert_eq!(time_zone_overlap("Mars/Olympus", "UTC"), 0);
    }

    #[test]
    fn low_skill_coverage_caps_the_label_at_partial() {
        // 1 of 4 = 0.25; everything else perfect: 50·25 + 2000 + 1500 + 1500 = 6250 → 0.63
        // → partial by score anyway; with no required skills missing it would be strong.
        let c = candidate("d", &["debug software"], 40.0, "America/New_York", 40);
        let m = MatchScore::of(&job(), &c);
        assert_eq!((m.score, m.label()), (63, "partial"));
        let capped = MatchScore {
            skill_coverage: 40,
            rate_fit: 100,
            time_zone_overlap: 100,
            availability: 100,
            score: 70,
        };
        assert_eq!(capped.label(), "partial");
    }

    #[test]
    fn ranking_sorts_by_score_then_id() {
        let cs = [
            candidate("p2", &["debug software"], 40.0, "America/New_York", 40),
            candidate("p1", &["debug software"], 40.0, "America/New_York", 40),
            candidate(
                "p3",
                &[
                    "debug software",
                    "use databases",
                    "agile development",
                    "Python (computer programming)",
                ],
                40.0,
                "America/New_York",
                40,
            ),
        ];
        let r = ranking(&job(), &cs);
        let ids: Vec<&str> = r["ranking"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|x| x["profile_id"].as_str())
            .collect();
        assert_eq!(ids, ["p3", "p1", "p2"]);
        assert_eq!(r["ranking"][0]["score"], json!(1.0));
        hirelm_core::validate(hirelm_core::Task::RankCandidates, &r).expect("valid");
    }
}
