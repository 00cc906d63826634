//! score_match and rank_candidates: a job drawn from an ESCO occupation of the [`Market`] and
//! freelancers of four quality tiers (same occupation with most required skills … another
//! occupation with few), labelled by the one rule of [`super::match_rule`].
//!
//! A job: an occupation, 3–5 required skills from the top of its skill set, an hourly budget from
//! its wage row (`p25·U(0.9, 1.1)` to `p75·U(0.95, 1.15)`, whole dollars), a weighted time zone
//! and 10–40 hours a week. A freelancer: a headline occupation (the job's, one sharing skills with
//! it, or any), some of the job's required skills by tier, 2–4 skills of their own occupation,
//! a rate at a quantile of their occupation's wages, a time zone, hours and a first name drawn by
//! birth year and sex. Each example is its own job, so the group is the example.

use hirelm_core::record::{Budget, BudgetKind, Candidate, MatchInput, MatchJob, RankInput};
use hirelm_core::{Example, Task};

use super::match_rule::{MatchScore, ranking};
use super::{BLS_SOURCE, ESCO_SOURCE, NAMES_SOURCE, provenance};
use crate::market::Market;
use crate::rng::Rng;

/// Licence of the matching examples' inputs.
pub const MATCH_LICENCE: &str = "CC-BY-4.0 (ESCO)+public domain (BLS OEWS, SSA names)";

const JOB_HOURS: [u32; 8] = [10, 15, 20, 20, 25, 30, 30, 40];
const FREELANCER_HOURS: [u32; 7] = [10, 15, 20, 25, 30, 35, 40];

/// A job and the market occupation it was drawn from.
#[derive(Debug, Clone)]
pub struct DrawnJob {
    /// The job.
    pub job: MatchJob,
    /// Its occupation index in [`Market::occupations`].
    pub occupation: usize,
}

fn uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.unit()
}

/// A seeded job of occupation `occ`.
pub fn draw_job(market: &Market, occ: usize, rng: &mut Rng) -> DrawnJob {
    let o = &market.occupations[occ];
    let mut top: Vec<&String> = o.skills.iter().take(8).collect();
    rng.shuffle(&mut top);
    let n = (3 + rng.below(3)).min(top.len());
    let p = &o.wage.percentiles;
    let min = (p[1] * uniform(rng, 0.9, 1.1)).round();
    let max = (p[3] * uniform(rng, 0.95, 1.15)).round().max(min + 3.0);
    DrawnJob {
        job: MatchJob {
            title: o.label.clone(),
            required_skills: top[..n].iter().map(|s| s.to_string()).collect(),
            budget: Budget {
                kind: BudgetKind::Hourly,
                min_usd: min,
                max_usd: max,
            },
            time_zone: Market::draw_zone(rng).to_string(),
            hours_per_week: JOB_HOURS[rng.below(JOB_HOURS.len())],
        },
        occupation: occ,
    }
}

/// A short profile id (`fr-` and four base-36 characters).
fn profile_id(rng: &mut Rng) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let tail: String = (0..4).map(|_| DIGITS[rng.below(36)] as char).collect();
    format!("fr-{tail}")
}

/// A seeded freelancer for `job` of tier 0 (best) to 3 (worst), with at most `max_skills`
/// skills; returns the candidate and the SOC code of their wage row.
pub fn draw_candidate(
    market: &Market,
    job: &DrawnJob,
    tier: usize,
    max_skills: usize,
    rng: &mut Rng,
) -> (Candidate, String) {
    let related = market.related(job.occupation);
    let same_share = [0.85, 0.7, 0.4, 0.1][tier.min(3)];
    let headline = if rng.unit() < same_share {
        job.occupation
    } else if !related.is_empty() && (tier < 3 || rng.unit() < 0.4) {
        related[rng.below(related.len())]
    } else {
        market.draw_occupation(rng)
    };
    let own = &market.occupations[headline];
    let required = &job.job.required_skills;
    let n = required.len();
    let covered = match tier {
        0 => n - rng.below(2),
        1 => n.saturating_sub(1 + rng.below(2)),
        2 => (n.saturating_sub(1)) / 2 + rng.below(2),
        _ => rng.below(2),
    }
    .min(n);
    let mut req: Vec<&String> = required.iter().collect();
    rng.shuffle(&mut req);
    let mut skills: Vec<String> = req[..covered].iter().map(|s| s.to_string()).collect();
    // Required skills the headline occupation lists anyway.
    for s in &req[covered..] {
        if headline != job.occupation && own.skills.contains(s) && rng.unit() < 0.5 {
            skills.push(s.to_string());
        }
    }
    let mut extra: Vec<&String> = own
        .skills
        .iter()
        .filter(|s| !required.contains(s))
        .take(12)
        .collect();
    rng.shuffle(&mut extra);
    let want = (skills.len() + 2 + rng.below(3)).min(max_skills);
    for s in extra {
        if skills.len() >= want {
            break;
        }
        skills.push(s.clone());
    }
    skills.truncate(max_skills.max(1));
    rng.shuffle(&mut skills);
    let q = if tier == 0 {
        uniform(rng, 0.1, 0.6)
    } else {
        uniform(rng, 0.1, 0.9)
    };
    let rate = own.wage.at_quantile(q).round();
    let time_zone = if tier == 0 && rng.unit() < 0.6 {
        job.job.time_zone.clone()
    } else {
        Market::draw_zone(rng).to_string()
    };
    let hours = if tier == 0 {
        job.job
            .hours_per_week
            .max(FREELANCER_HOURS[rng.below(FREELANCER_HOURS.len())])
    } else {
        FREELANCER_HOURS[rng.below(FREELANCER_HOURS.len())]
    };
    let candidate = Candidate {
        id: profile_id(rng),
        name: market.names.draw(rng),
        headline: own.label.clone(),
        skills,
        hourly_rate_usd: rate,
        time_zone,
        hours_per_week: hours,
    };
    (candidate, own.wage.soc.clone())
}

/// The provenance source naming the wage rows used (`#soc=` job row first, then candidates').
pub fn match_source(socs: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for s in socs {
        if !seen.contains(&s.as_str()) {
            seen.push(s);
        }
    }
    format!(
        "{ESCO_SOURCE}+{BLS_SOURCE}#soc={}+{NAMES_SOURCE}",
        seen.join(",")
    )
}

/// `count` score_match examples, tiers in rotation so labels spread.
pub fn score_match_examples(market: &Market, count: usize, seed: u64) -> Vec<Example> {
    if market.occupations.is_empty() {
        return Vec::new();
    }
    (0..count)
        .filter_map(|i| {
            let mut rng = Rng::derive(seed, &format!("score_match/{i}"));
            let occ = market.draw_occupation(&mut rng);
            let job = draw_job(market, occ, &mut rng);
            let (candidate, soc) = draw_candidate(market, &job, i % 4, 6, &mut rng);
            let target = MatchScore::of(&job.job, &candidate).target();
            let source = match_source(&[market.occupations[occ].wage.soc.clone(), soc]);
            let input = serde_json::to_value(MatchInput {
                job: job.job,
                candidate,
            })
            .ok()?;
            Some(Example {
                task: Task::ScoreMatch,
                input,
                target,
                provenance: provenance(
                    &source,
                    MATCH_LICENCE,
                    true,
                    seed,
                    format!("score_match/{i}"),
                ),
            })
        })
        .collect()
}

/// `count` rank_candidates examples of 3 or 4 candidates of mixed tiers.
pub fn rank_examples(market: &Market, count: usize, seed: u64) -> Vec<Example> {
    if market.occupations.is_empty() {
        return Vec::new();
    }
    (0..count)
        .filter_map(|i| {
            let mut rng = Rng::derive(seed, &format!("rank_candidates/{i}"));
            let occ = market.draw_occupation(&mut rng);
            let job = draw_job(market, occ, &mut rng);
            let mut socs = vec![market.occupations[occ].wage.soc.clone()];
            let mut candidates: Vec<Candidate> = Vec::new();
            let mut tiers = [0, 1, 2, 3];
            rng.shuffle(&mut tiers);
            for &tier in tiers.iter().take(3 + rng.below(2)) {
                let (mut c, soc) = draw_candidate(market, &job, tier, 5, &mut rng);
                while candidates.iter().any(|o| o.id == c.id) {
                    c.id = profile_id(&mut rng);
                }
                socs.push(soc);
                candidates.push(c);
            }
            let target = ranking(&job.job, &candidates);
            let input = serde_json::to_value(RankInput {
                job: job.job,
                candidates,
            })
            .ok()?;
            Some(Example {
                task: Task::RankCandidates,
                input,
                target,
                provenance: provenance(
                    &match_source(&socs),
                    MATCH_LICENCE,
                    true,
                    seed,
                    format!("rank_candidates/{i}"),
                ),
            })
        })
        .collect()
}
