//! The typed task APIs on a tiny random network with the real tokenizer: whatever the network
//! says, every call returns a well-formed record, and narrowed choices are respected.

use hirelm_core::record::{
    Availability, Budget, BudgetKind, Candidate, ClientBrief, EvaluationInput, InterviewRequest,
    MatchInput, MatchJob, Occupation, RankInput, Skill,
};
use hirelm_infer::DomainModelBuilder;
use hirelm_infer::constrain::ConstraintLimits;

use crate::common::tiny_model_with_real_tokenizer;

fn job() -> MatchJob {
    MatchJob {
        title: "Backend engineer".into(),
        required_skills: vec!["Rust".into(), "SQL".into()],
        budget: Budget {
            kind: BudgetKind::Hourly,
            min_usd: 50.0,
            max_usd: 80.0,
        },
        time_zone: "Europe/Berlin".into(),
        hours_per_week: 30,
    }
}

fn candidate(id: &str) -> Candidate {
    Candidate {
        id: id.into(),
        name: "Ada".into(),
        headline: "Systems programmer".into(),
        skills: vec!["Rust".into()],
        hourly_rate_usd: 70.0,
        time_zone: "Europe/Paris".into(),
        hours_per_week: 20,
    }
}

#[test]
fn every_typed_api_returns_a_record_and_respects_narrowed_choices() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(path) = tiny_model_with_real_tokenizer(dir.path()) else {
        return;
    };
    let limits = ConstraintLimits {
        max_string_chars: 10,
        max_array_items: 3,
        max_int_digits: 3,
        max_frac_digits: 2,
    };
    let model = DomainModelBuilder::new(path.to_string_lossy())
        .with_limits(limits)
        .with_max_new_tokens(600)
        .build()
        .expect("model");

    let brief = ClientBrief {
        occupation: "nurse".into(),
        must_have: vec!["triage".into()],
        nice_to_have: vec![],
        budget: Budget {
            kind: BudgetKind::Hourly,
            min_usd: 40.0,
            max_usd: 60.0,
        },
        duration_weeks: 12,
        remote: false,
        time_zone: "America/Chicago".into(),
    };
    let post = model.draft_job_post(&brief).expect("job post");
    assert!(!post.title.is_empty() && !post.responsibilities.is_empty());

    let skills = [
        Skill {
            esco_uri: "u:rust".into(),
            label: "Rust".into(),
        },
        Skill {
            esco_uri: "u:sql".into(),
            label: "SQL".into(),
        },
    ];
    for skill in model
        .extract_skills_among("We need Rust and SQL.", &skills)
        .expect("skills")
    {
        assert!(skills.contains(&skill), "{skill:?} is not a candidate");
    }
    model
        .extract_skills("We need Rust and SQL.")
        .expect("free skills");

    let occupations = [
        Occupation {
            esco_uri: "u:nurse".into(),
            label: "nurse".into(),
        },
        Occupation {
            esco_uri: "u:dev".into(),
            label: "software developer".into(),
        },
    ];
    let occupation = model
        .normalise_title("Sr. Backend Dev", &occupations)
        .expect("occupation");
    assert!(occupations.contains(&occupation));

    let score = model
        .score_match(&MatchInput {
            job: job(),
            candidate: candidate("a"),
        })
        .expect("score");
    assert!((0.0..=1.0).contains(&score.score));

    let ranking = model
        .rank_candidates(&RankInput {
            job: job(),
            candidates: vec![candidate("p1"), candidate("p2")],
        })
        .expect("ranking");
    assert!(!ranking.is_empty());
    assert!(
        ranking
            .iter()
            .all(|r| r.profile_id == "p1" || r.profile_id == "p2"),
        "{ranking:?}"
    );

    let evaluation = model
        .evaluate_candidate(&EvaluationInput {
            job: job(),
            candidate: candidate("a"),
            interview_notes: "Calm, clear answers.".into(),
        })
        .expect("evaluation");
    assert!(evaluation.scores.iter().all(|s| (1..=5).contains(&s.score)));

    let request = InterviewRequest {
        client: Availability {
            time_zone: "Europe/Berlin".into(),
            windows: vec!["2025-03-10 09:00-12:00".into()],
        },
        candidate: Availability {
            time_zone: "America/New_York".into(),
            windows: vec!["2025-03-10 06:00-08:00".into()],
        },
        duration_minutes: 30,
        step_minutes: 15,
    };
    model.schedule_interview(&request).expect("slots");

    assert!(
        model.normalise_title("x", &[]).is_err(),
        "no candidates is an error"
    );
}
