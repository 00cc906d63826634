//! draft_job_post: a client's brief (an ESCO occupation of the [`Market`], 3–5 must-have skills
//! from the top of its skill set, 0–2 nice-to-have ones, a budget from its BLS wage row, duration,
//! remote or not, time zone) → a job post.
//!
//! The post's responsibilities are real job-ad sentences where SkillSpan *train* has fitting ones
//! (responsibility-like sentences, ranked by the idf weight of the tokens they share with the
//! occupation label and must-have skills: at least two tokens and [`MIN_SENTENCE_WEIGHT`]; at
//! most two sentences), filled
//! up to three from the must-have skills in varied phrasing; title and summary use varied
//! phrasings. Two briefs in three draw from occupations that have fitting sentences.
//! A fixed budget is the hourly range times 20 hours a week times the weeks, to the nearest $50.

use std::collections::BTreeSet;

use hirelm_core::record::{Budget, BudgetKind, ClientBrief};
use hirelm_core::text::capitalise_first;
use hirelm_core::{Example, Task};
use rayon::prelude::*;
use serde_json::json;

use super::{BLS_SOURCE, ESCO_SOURCE, SKILLSPAN_SOURCE, provenance};
use crate::market::Market;
use crate::market::tokens::token_set;
use crate::rng::Rng;
use crate::skillspan::SpanSentence;

/// Minimum shared idf weight for a real sentence to describe the job.
pub const MIN_SENTENCE_WEIGHT: f64 = 9.0;
/// Licence of the draft_job_post examples.
pub const DRAFT_LICENCE: &str = "CC-BY-4.0 (ESCO)+MIT (SkillSpan)+public domain (BLS OEWS)";

const LEADS: [&str; 11] = [
    "develop",
    "design",
    "build",
    "work",
    "support",
    "manage",
    "maintain",
    "create",
    "lead",
    "ensure",
    "collaborate",
];
const LEADS2: [&str; 16] = [
    "participate",
    "provide",
    "implement",
    "drive",
    "deliver",
    "write",
    "test",
    "analyse",
    "analyze",
    "coordinate",
    "assist",
    "contribute",
    "plan",
    "monitor",
    "prepare",
    "handle",
];
const DURATIONS: [u32; 7] = [2, 4, 6, 8, 12, 16, 24];

/// A real sentence usable as a responsibility.
#[derive(Debug, Clone)]
struct Real {
    text: String,
    tokens: BTreeSet<String>,
}

fn responsibility_like(s: &SpanSentence) -> Option<Real> {
    let text = s.text.trim().trim_end_matches([';', ',']).to_string();
    let words = text.split_whitespace().count();
    let first = text.split_whitespace().next()?.to_lowercase();
    let ok = (5..=24).contains(&words)
        && text.chars().next().is_some_and(char::is_uppercase)
        && !text.contains(['<', '@', ':', '|', '*'])
        && !text.contains("http")
        && (LEADS.contains(&first.as_str())
            || LEADS2.contains(&first.as_str())
            || text.starts_with("You will ")
            || text.starts_with("Responsible for "));
    ok.then(|| Real {
        tokens: token_set(&text),
        text: if text.ends_with('.') {
            text
        } else {
            format!("{text}.")
        },
    })
}

/// The idf weight of the tokens `real` shares with `want`; 0 unless at least two are shared.
fn weight(market: &Market, real: &Real, want: &BTreeSet<String>) -> f64 {
    let shared: Vec<&String> = real.tokens.intersection(want).collect();
    if shared.len() < 2 {
        return 0.0;
    }
    shared.iter().map(|t| market.index.idf(t)).sum()
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

fn round50(x: f64) -> f64 {
    ((x / 50.0).round() * 50.0).max(50.0)
}

fn composed(market: &Market, skill: &str, rng: &mut Rng) -> String {
    if market.index.is_verb_led(skill) {
        let tails = [
            "",
            " for our clients",
            " as part of a small team",
            " across the project",
            " day to day",
        ];
        format!(
            "{}{}.",
            capitalise_first(skill),
            tails[rng.below(tails.len())]
        )
    } else {
        let forms = [
            "Apply {} in day-to-day work.",
            "Use {} to deliver project milestones.",
            "Bring {} expertise to the team.",
        ];
        forms[rng.below(forms.len())].replace("{}", skill)
    }
}

fn title(label: &str, brief: &ClientBrief, rng: &mut Rng) -> String {
    let l = capitalise_first(label);
    let short = brief
        .must_have
        .iter()
        .find(|s| s.split_whitespace().count() <= 2 && !s.contains('('));
    match rng.below(5) {
        0 if brief.remote => format!("Remote {label}"),
        1 => format!("Freelance {label}"),
        2 => format!("{l} ({} weeks)", brief.duration_weeks),
        3 if short.is_some() => format!("{l} ({})", short.map(String::as_str).unwrap_or_default()),
        _ => l,
    }
}

fn summary(label: &str, brief: &ClientBrief, rng: &mut Rng) -> String {
    let (a, w) = (article(label), brief.duration_weeks);
    let _ = a;
    let place = if brief.remote { "remote" } else { "on-site" };
    let lead = match rng.below(4) {
        0 => format!("We are looking for {a} {label} for {w} weeks of {place} work."),
        1 => format!(
            "{} {label} is needed to join our team for about {w} weeks ({place}).",
            capitalise_first(a)
        ),
        2 => format!("Our team needs an experienced {label} for a {place} project of {w} weeks."),
        _ => format!("Seeking a freelance {label} ({place}, {w} weeks) to strengthen our team."),
    };
    if rng.unit() < 0.5 {
        let zone = brief
            .time_zone
            .rsplit('/')
            .next()
            .unwrap_or(&brief.time_zone)
            .replace('_', " ");
        let second = match rng.below(3) {
            0 => format!("Working hours should overlap with {zone} time."),
            1 => format!("You will work closely with our team in the {zone} time zone."),
            _ => format!("Some overlap with {zone} business hours is expected."),
        };
        format!("{lead} {second}")
    } else {
        lead
    }
}

/// `count` draft_job_post examples from the market and SkillSpan train sentences.
pub fn draft_examples(
    market: &Market,
    train: &[SpanSentence],
    count: usize,
    seed: u64,
) -> Vec<Example> {
    if market.occupations.is_empty() {
        return Vec::new();
    }
    let mut reals: Vec<Real> = train.iter().filter_map(responsibility_like).collect();
    reals.sort_by(|a, b| a.text.cmp(&b.text));
    reals.dedup_by(|a, b| a.text == b.text);
    let want_of = |occ: usize, skills: &[&String]| -> BTreeSet<String> {
        let mut w = token_set(&market.occupations[occ].label);
        for s in skills {
            w.extend(token_set(s));
        }
        w
    };
    let fitting: Vec<usize> = (0..market.occupations.len())
        .into_par_iter()
        .filter(|&o| {
            let top: Vec<&String> = market.occupations[o].skills.iter().take(5).collect();
            let want = want_of(o, &top);
            reals
                .iter()
                .any(|r| weight(market, r, &want) >= MIN_SENTENCE_WEIGHT)
        })
        .collect();
    (0..count)
        .map(|i| {
            let mut rng = Rng::derive(seed, &format!("draft_job_post/{i}"));
            let occ = if !fitting.is_empty() && rng.below(3) < 2 {
                fitting[rng.below(fitting.len())]
            } else {
                market.draw_occupation(&mut rng)
            };
            let o = &market.occupations[occ];
            let mut top: Vec<&String> = o.skills.iter().take(8).collect();
            rng.shuffle(&mut top);
            let n = (3 + rng.below(3)).min(top.len());
            let must: Vec<&String> = top[..n].to_vec();
            let rest: Vec<&String> = o
                .skills
                .iter()
                .skip(8)
                .chain(top[n..].iter().copied())
                .collect();
            let nice: Vec<String> = (0..rng.below(3).min(rest.len()))
                .map(|k| rest[(k * 7 + rng.below(rest.len())) % rest.len()].clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let duration_weeks = DURATIONS[rng.below(DURATIONS.len())];
            let p = &o.wage.percentiles;
            let (lo, hi) = (
                (p[1] * (0.9 + 0.2 * rng.unit())).round(),
                (p[3] * (0.95 + 0.2 * rng.unit())).round(),
            );
            let hi = hi.max(lo + 3.0);
            let budget = if rng.below(10) < 7 {
                Budget {
                    kind: BudgetKind::Hourly,
                    min_usd: lo,
                    max_usd: hi,
                }
            } else {
                let hours = 20.0 * duration_weeks as f64;
                let min = round50(lo * hours);
                Budget {
                    kind: BudgetKind::Fixed,
                    min_usd: min,
                    max_usd: round50(hi * hours).max(min + 50.0),
                }
            };
            let brief = ClientBrief {
                occupation: o.label.clone(),
                must_have: must.iter().map(|s| s.to_string()).collect(),
                nice_to_have: nice,
                budget,
                duration_weeks,
                remote: rng.below(5) < 4,
                time_zone: Market::draw_zone(&mut rng).to_string(),
            };
            let want = want_of(occ, &must);
            let mut scored: Vec<(f64, &Real)> = reals
                .iter()
                .map(|r| (weight(market, r, &want), r))
                .filter(|(w, _)| *w >= MIN_SENTENCE_WEIGHT)
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.text.cmp(&b.1.text)));
            let n_real = scored.len().min(1 + rng.below(2));
            let mut responsibilities: Vec<String> = scored[..n_real]
                .iter()
                .map(|(_, r)| r.text.clone())
                .collect();
            for s in &brief.must_have {
                if responsibilities.len() >= 3 {
                    break;
                }
                responsibilities.push(composed(market, s, &mut rng));
            }
            let target = json!({
                "title": title(&o.label, &brief, &mut rng),
                "summary": summary(&o.label, &brief, &mut rng),
                "responsibilities": responsibilities,
                "required_skills": brief.must_have,
                "nice_to_have_skills": brief.nice_to_have,
                "budget": brief.budget,
            });
            let mut source = format!("{ESCO_SOURCE}+{BLS_SOURCE}#soc={}", o.wage.soc);
            if n_real > 0 {
                source.push_str(&format!("+{SKILLSPAN_SOURCE}"));
            }
            Example {
                task: Task::DraftJobPost,
                input: serde_json::to_value(&brief).unwrap_or_default(),
                target,
                provenance: provenance(
                    &source,
                    DRAFT_LICENCE,
                    true,
                    seed,
                    format!("draft_job_post/{i}"),
                ),
            }
        })
        .collect()
}
