//! The hiring flow an agentic assistant runs, chained through the typed APIs:
//! client brief → job post → skills of the post → candidates ranked → interview slots for the
//! best one → evaluation after the interview → recommendation.
//!
//! Needs the real model (scripts/fetch-models.sh):
//!     cargo run --release -p hirelm-infer --example hiring_flow
//!
//! The sample data below is invented. The shipped adapter was trained on extract_skills,
//! normalise_title and schedule_interview only; the other steps show the untuned base model's
//! answers, held to each task's schema.

use hirelm_core::record::{
    Availability, Budget, BudgetKind, Candidate, ClientBrief, EvaluationInput, InterviewRequest,
    MatchJob, RankInput,
};
use hirelm_infer::DomainModel;

fn candidates() -> Vec<Candidate> {
    let candidate =
        |id: &str, name: &str, headline: &str, skills: &[&str], rate: f64, tz: &str, hours: u32| {
            Candidate {
                id: id.into(),
                name: name.into(),
                headline: headline.into(),
                skills: skills.iter().map(|s| s.to_string()).collect(),
                hourly_rate_usd: rate,
                time_zone: tz.into(),
                hours_per_week: hours,
            }
        };
    vec![
        candidate(
            "p1",
            "Maria",
            "Data engineer, 6 years",
            &["Python (computer programming)", "SQL", "Apache Spark"],
            75.0,
            "Europe/Madrid",
            30,
        ),
        candidate(
            "p2",
            "James",
            "Backend developer",
            &["Java (computer programming)", "SQL"],
            60.0,
            "America/Chicago",
            40,
        ),
        candidate(
            "p3",
            "Aiko",
            "Analytics engineer",
            &["SQL", "Python (computer programming)"],
            95.0,
            "Asia/Tokyo",
            15,
        ),
    ]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = DomainModel::load_default()?;
    let budget = Budget {
        kind: BudgetKind::Hourly,
        min_usd: 55.0,
        max_usd: 85.0,
    };

    let brief = ClientBrief {
        occupation: "data engineer".into(),
        must_have: vec!["Python (computer programming)".into(), "SQL".into()],
        nice_to_have: vec!["Apache Spark".into()],
        budget: budget.clone(),
        duration_weeks: 12,
        remote: true,
        time_zone: "Europe/Berlin".into(),
    };
    println!("1. brief: {}", serde_json::to_string(&brief)?);
    let post = model.draft_job_post(&brief)?;
    println!("2. job post: {}", serde_json::to_string_pretty(&post)?);

    let summary = format!("{} {}", post.summary, post.responsibilities.join(" "));
    println!(
        "3. skills named by the post: {:?}",
        model.extract_skills(&summary)?
    );

    let job = MatchJob {
        title: post.title.clone(),
        required_skills: brief.must_have.clone(),
        budget,
        time_zone: brief.time_zone.clone(),
        hours_per_week: 30,
    };
    let pool = candidates();
    let ranking = model.rank_candidates(&RankInput {
        job: job.clone(),
        candidates: pool.clone(),
    })?;
    println!("4. ranking: {}", serde_json::to_string(&ranking)?);
    let best = ranking
        .first()
        .and_then(|r| pool.iter().find(|c| c.id == r.profile_id))
        .unwrap_or(&pool[0]);

    let request = InterviewRequest {
        client: Availability {
            time_zone: brief.time_zone.clone(),
            windows: vec!["2025-03-31 14:00-17:00".into()],
        },
        candidate: Availability {
            time_zone: best.time_zone.clone(),
            windows: vec!["2025-03-31 09:00-16:00".into()],
        },
        duration_minutes: 45,
        step_minutes: 15,
    };
    println!(
        "5. interview slots with {}: {}",
        best.name,
        serde_json::to_string(&model.schedule_interview(&request)?)?
    );

    let notes = "Explained a past pipeline migration clearly; strong SQL, some gaps in Spark tuning; available from April.";
    let evaluation = model.evaluate_candidate(&EvaluationInput {
        job,
        candidate: best.clone(),
        interview_notes: notes.into(),
    })?;
    println!(
        "6. evaluation: {}",
        serde_json::to_string_pretty(&evaluation)?
    );
    let verdict = if evaluation.overall >= 3.5 {
        "recommend an offer"
    } else {
        "keep looking"
    };
    println!(
        "7. recommendation for {}: {verdict} (overall {:.1} / 5)",
        best.name, evaluation.overall
    );
    Ok(())
}
