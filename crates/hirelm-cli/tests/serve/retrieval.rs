//! Answers by retrieval with the shipped encoders, in `hirelm ask` and the server, and embeddings.

use super::*;

/// By default `ask extract_skills` ranks ESCO skills with the shipped fine-tuned encoder of
/// skills, and `ask normalise_title` picks the nearest ESCO occupation with the one of titles
/// (scripts/fetch-data.sh provides the skills and occupations); the server answers alike. A
/// missing encoder is an error that says how to get one or how to use the language model instead.
#[test]
fn ask_retrieves_esco_skills_and_occupations_with_the_shipped_encoders() {
    let root = common::root();
    let skills_csv = root.join("data/esco/esco-1.1.1-labels.csv");
    let occupations_csv = root.join("data/esco/occupations.csv");
    let ask = |task: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args(["ask", task])
            .args(args)
            .arg("--skills")
            .arg(&skills_csv)
            .arg("--occupations")
            .arg(&occupations_csv)
            // The ESCO embeddings are cached once per encoder, beside the repository's other caches.
            .env("HIRELM_CACHE_DIR", root.join(".cache/hirelm"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("runs")
    };
    let answer = |task: hirelm_core::Task, input: &str| {
        let out = ask(task.name(), &[input]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        hirelm_core::validate(task, &value).expect("valid against the task schema");
        (value, String::from_utf8_lossy(&out.stderr).to_string())
    };
    let sentence = "Experience with Python and SQL databases is required.";
    let (skills_answer, log) = answer(hirelm_core::Task::ExtractSkills, sentence);
    let skills: Vec<String> = skills_answer["skills"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s.as_str())
        .map(str::to_lowercase)
        .collect();
    assert_eq!(skills.len(), 5, "{skills_answer}");
    assert!(
        skills
            .iter()
            .any(|s| s.contains("python") || s.contains("sql")),
        "{skills_answer}"
    );
    assert!(log.contains("ESCO skills"), "{log}");
    let title = "Senior Java Software Developer";
    let (title_answer, log) = answer(hirelm_core::Task::NormaliseTitle, title);
    let label = title_answer["label"]
        .as_str()
        .expect("label")
        .to_lowercase();
    assert!(
        title_answer["esco_uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://data.europa.eu/esco/occupation/"))
            && (label.contains("developer") || label.contains("programmer")),
        "{title_answer}"
    );
    assert!(log.contains("ESCO occupations"), "{log}");
    // The server answers the same questions the same way, by the same route.
    let server = serve(&[
        "--skills",
        skills_csv.to_str().expect("utf-8"),
        "--occupations",
        occupations_csv.to_str().expect("utf-8"),
    ]);
    for (task, input, expected) in [
        ("extract_skills", sentence, &skills_answer),
        ("normalise_title", title, &title_answer),
    ] {
        let path = format!("/v1/tasks/{task}");
        let (status, body) = http(&server.1, "POST", &path, None, &format!("{input:?}"));
        let served: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{status} {body}"));
        assert_eq!(
            (status, &served["route"], &served["answer"]),
            (200, &serde_json::json!("encoder"), expected),
            "{body}"
        );
    }
    // score_match and rank_candidates go to the rule-based matcher, as shipped/routes.toml
    // routes them: the same answer from `ask` and the server, at once and without tokens.
    let job = r#""job": {"title": "Backend engineer", "required_skills": ["Rust", "SQL"], "budget": {"kind": "hourly", "min_usd": 50, "max_usd": 80}, "time_zone": "Europe/Berlin", "hours_per_week": 30}"#;
    let candidate = |id: &str, skills: &str| {
        format!(
            r#"{{"id": "{id}", "name": "Ada", "headline": "Systems programmer", "skills": {skills}, "hourly_rate_usd": 70, "time_zone": "Europe/Paris", "hours_per_week": 20}}"#
        )
    };
    let match_input = format!(
        r#"{{{job}, "candidate": {}}}"#,
        candidate("c1", r#"["Rust"]"#)
    );
    let (match_answer, log) = answer(hirelm_core::Task::ScoreMatch, &match_input);
    assert_eq!(match_answer["components"]["skill_coverage"], 0.5);
    assert!(log.contains("rule-based matcher"), "{log}");
    let rank_input = format!(
        r#"{{{job}, "candidates": [{}, {}]}}"#,
        candidate("c1", r#"["Rust"]"#),
        candidate("c2", r#"["Rust", "SQL"]"#)
    );
    for (task, input, expected) in [
        ("score_match", match_input.as_str(), Some(&match_answer)),
        ("rank_candidates", rank_input.as_str(), None),
    ] {
        let path = format!("/v1/tasks/{task}");
        let (status, body) = http(&server.1, "POST", &path, None, input);
        let served: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{status} {body}"));
        assert_eq!(
            (status, &served["route"]),
            (200, &serde_json::json!("rule")),
            "{body}"
        );
        if let Some(expected) = expected {
            assert_eq!(&served["answer"], expected, "{body}");
        } else {
            // Both skills before one.
            assert_eq!(served["answer"]["ranking"][0]["profile_id"], "c2", "{body}");
        }
    }
    // OpenAI embeddings by the same encoder: unit vectors, a title nearer its paraphrase.
    let request = r#"{"model":"hirelm-encoder-minilm","input":["Senior Java Software Developer","Java developer","Head chef"]}"#;
    let (status, body) = http(&server.1, "POST", "/v1/embeddings", None, request);
    assert_eq!(status, 200, "{body}");
    let value: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let vectors: Vec<Vec<f64>> = value["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|d| serde_json::from_value(d["embedding"].clone()).expect("floats"))
        .collect();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    assert_eq!(vectors.len(), 3, "{body}");
    assert!(
        vectors
            .iter()
            .all(|v| v.len() == 384 && (dot(v, v) - 1.0).abs() < 1e-3)
    );
    assert!(dot(&vectors[0], &vectors[1]) > dot(&vectors[0], &vectors[2]) + 0.1);
    assert!(
        value["usage"]["prompt_tokens"]
            .as_u64()
            .is_some_and(|n| n >= 9),
        "{body}"
    );
    let (status, body) = http(
        &server.1,
        "POST",
        "/v1/embeddings",
        None,
        r#"{"input":[1,2]}"#,
    );
    assert!(
        status == 400 && body.contains("token arrays"),
        "{status} {body}"
    );
    for (task, flag) in [
        ("extract_skills", "--skills-encoder"),
        ("normalise_title", "--titles-encoder"),
    ] {
        let missing = ask(task, &["x", flag, "/nonexistent/encoder"]);
        let err = String::from_utf8_lossy(&missing.stderr);
        let instead = match task {
            "extract_skills" => "--generate-skills",
            _ => "--generate-titles",
        };
        assert!(
            !missing.status.success() && err.contains(instead) && !err.contains("panicked"),
            "{err}"
        );
    }
}
