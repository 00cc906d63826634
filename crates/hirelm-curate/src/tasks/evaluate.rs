//! evaluate_candidate: a job and a freelancer drawn as in [`super::matching`], interview notes
//! composed from varied phrasings of evidence for or against each rubric criterion, and the rubric
//! of [`super::evaluate_rule`] as the target.

use hirelm_core::record::{EvaluationInput, MatchJob};
use hirelm_core::{Example, Task};

use super::evaluate_rule::{Evidence, evaluate};
use super::matching::{MATCH_LICENCE, draw_candidate, draw_job, match_source};
use super::provenance;
use crate::market::Market;
use crate::rng::Rng;

const SKILL_FOR_VERB: [&str; 4] = [
    "{n} described how they {s} in a recent project.",
    "Asked to {s}, {n} talked through a convincing real example.",
    "Clearly able to {s}; gave concrete examples.",
    "{n} did a short exercise to {s} and handled it well.",
];
const SKILL_AGAINST_VERB: [&str; 3] = [
    "{n} could not explain how they would {s}.",
    "Has never had to {s} in practice.",
    "When asked to {s}, {n} said it would need to be learned on the job.",
];
const SKILL_FOR: [&str; 5] = [
    "{n} walked us through a recent project that relied on {s}.",
    "Strong, concrete examples of {s} from past work.",
    "When asked about {s}, {n} answered in depth and described real trade-offs.",
    "{n} did a short live exercise on {s} and handled it well.",
    "Clearly has hands-on experience with {s}.",
];
const SKILL_AGAINST: [&str; 4] = [
    "{n} admitted to little hands-on experience with {s}.",
    "Struggled with the questions on {s}.",
    "No real examples of {s}; mostly theory.",
    "When we got to {s}, {n} said it would need to be learned on the job.",
];
const RATE_FOR: [&str; 3] = [
    "{n} is open to negotiating the rate.",
    "Flexible on rate if the engagement runs longer.",
    "Said the rate can be adjusted to fit our budget.",
];
const RATE_AGAINST: [&str; 3] = [
    "{n} mentioned expecting a rate increase after the first month.",
    "Wants to revisit the rate soon after starting.",
    "Was clear the current rate is an introductory one and will go up.",
];
const TZ_FOR: [&str; 3] = [
    "{n} is happy to shift working hours to overlap with our team.",
    "Offered to take early or late calls when needed.",
    "Flexible about meeting times across time zones.",
];
const TZ_AGAINST: [&str; 3] = [
    "{n} can only join calls during their own office hours.",
    "Not able to move hours for meetings.",
    "Said evening calls are not possible.",
];
const AVAIL_FOR: [&str; 3] = [
    "{n} can start immediately.",
    "Available to begin next week.",
    "Currently between contracts, so can start right away.",
];
const AVAIL_AGAINST: [&str; 3] = [
    "{n} is finishing another contract and cannot start for several weeks.",
    "Earliest start is next month.",
    "Needs a few weeks before being able to start.",
];
const COMM: [[&str; 3]; 4] = [
    [
        "Answers were hard to follow and often drifted off topic.",
        "Communication was a real problem; we had to repeat most questions.",
        "Very difficult to get a straight answer from {n}.",
    ],
    [
        "Some answers were vague and needed follow-up questions.",
        "{n} was a bit unclear at times.",
        "Communication was okay but not always to the point.",
    ],
    [
        "{n} explained things clearly.",
        "Good communicator, concise answers.",
        "Asked sensible questions about the project.",
    ],
    [
        "Excellent communicator: structured, clear and concise.",
        "{n} gave very clear, well-structured answers throughout.",
        "Outstanding communication; explained complex points simply.",
    ],
];
const OPENERS: [&str; 4] = [
    "30-minute video call.",
    "First-round interview.",
    "Call with {n} about the role.",
    "Screening call.",
];

fn say(rng: &mut Rng, phrases: &[&str], name: &str, skill: &str) -> String {
    let p = phrases[rng.below(phrases.len())];
    p.replace("{n}", name).replace("{s}", skill)
}

fn level(rng: &mut Rng, p_for: f64, p_against: f64) -> i8 {
    let x = rng.unit();
    if x < p_for {
        1
    } else if x < p_for + p_against {
        -1
    } else {
        0
    }
}

/// Seeded evidence and the notes that state it, for a candidate listing `skills`.
fn notes(
    market: &Market,
    rng: &mut Rng,
    job: &MatchJob,
    name: &str,
    skills: &[String],
) -> (Evidence, String) {
    let listed: Vec<String> = skills.iter().map(|s| s.to_lowercase()).collect();
    let (has, missing): (Vec<&String>, Vec<&String>) = job
        .required_skills
        .iter()
        .partition(|s| listed.contains(&s.to_lowercase()));
    let mut ev = Evidence::default();
    let mut sentences = Vec::new();
    let s = level(
        rng,
        if has.is_empty() { 0.0 } else { 0.45 },
        if missing.is_empty() { 0.0 } else { 0.35 },
    );
    if s != 0 {
        let pool = if s > 0 { &has } else { &missing };
        let skill = pool[rng.below(pool.len())].clone();
        let phrases: &[&str] = match (s > 0, market.index.is_verb_led(&skill)) {
            (true, true) => &SKILL_FOR_VERB,
            (true, false) => &SKILL_FOR,
            (false, true) => &SKILL_AGAINST_VERB,
            (false, false) => &SKILL_AGAINST,
        };
        sentences.push(say(rng, phrases, name, &skill));
        ev.skill = Some(skill);
    }
    ev.levels[0] = s;
    let table: [(&[&str], &[&str], f64, f64); 3] = [
        (&RATE_FOR, &RATE_AGAINST, 0.25, 0.2),
        (&TZ_FOR, &TZ_AGAINST, 0.25, 0.2),
        (&AVAIL_FOR, &AVAIL_AGAINST, 0.3, 0.2),
    ];
    for (i, (pf, pa, f, a)) in table.into_iter().enumerate() {
        let l = level(rng, f, a);
        ev.levels[i + 1] = l;
        if l != 0 {
            sentences.push(say(rng, if l > 0 { pf } else { pa }, name, ""));
        }
    }
    let c = [-2i8, -1, -1, 0, 0, 1, 1, 1, 2, 2][rng.below(10)];
    ev.levels[4] = c;
    if c != 0 {
        let row = (c + 2 - i8::from(c > 0)) as usize;
        sentences.push(say(rng, &COMM[row], name, ""));
    }
    rng.shuffle(&mut sentences);
    if sentences.is_empty() || rng.unit() < 0.4 {
        sentences.insert(0, say(rng, &OPENERS, name, ""));
    }
    (ev, sentences.join(" "))
}

/// `count` evaluate_candidate examples.
pub fn evaluate_examples(market: &Market, count: usize, seed: u64) -> Vec<Example> {
    if market.occupations.is_empty() {
        return Vec::new();
    }
    (0..count)
        .filter_map(|i| {
            let mut rng = Rng::derive(seed, &format!("evaluate_candidate/{i}"));
            let occ = market.draw_occupation(&mut rng);
            let job = draw_job(market, occ, &mut rng);
            let (candidate, soc) = draw_candidate(market, &job, rng.below(4), 6, &mut rng);
            let (ev, interview_notes) = notes(
                market,
                &mut rng,
                &job.job,
                &candidate.name,
                &candidate.skills,
            );
            let (_, target) = evaluate(&job.job, &candidate, &ev);
            let source = match_source(&[market.occupations[occ].wage.soc.clone(), soc]);
            let input = serde_json::to_value(EvaluationInput {
                job: job.job,
                candidate,
                interview_notes,
            })
            .ok()?;
            Some(Example {
                task: Task::EvaluateCandidate,
                input,
                target,
                provenance: provenance(
                    &source,
                    MATCH_LICENCE,
                    true,
                    seed,
                    format!("evaluate_candidate/{i}"),
                ),
            })
        })
        .collect()
}
