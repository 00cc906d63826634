//! Typed tasks and OpenAI-compatible chat: answers, JSON modes, refusals and OpenAI semantics.

use super::*;

#[test]
fn serve_answers_tasks_and_openai_chat_and_refuses_bad_requests() {
    let server = serve(&[
        "--api-key",
        "k3y",
        "--max-new-tokens",
        "64",
        "--max-body-bytes",
        "4096",
    ]);
    let addr = server.1.as_str();
    let key = Some("k3y");
    let (status, body) = http(addr, "GET", "/health", None, "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"status\":\"ok\""), "{body}");
    assert_eq!(
        http(addr, "POST", "/v1/tasks/extract_skills", None, "\"Python\"").0,
        401
    );
    assert_eq!(
        http(
            addr,
            "POST",
            "/v1/tasks/extract_skills",
            Some("wrong"),
            "\"Python\""
        )
        .0,
        401
    );

    let (status, body) = http(
        addr,
        "POST",
        "/v1/tasks/extract_skills",
        key,
        "\"Experience with Python and SQL is required.\"",
    );
    assert_eq!(status, 200, "{body}");
    let value: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    hirelm_core::validate(hirelm_core::Task::ExtractSkills, &value["answer"])
        .expect("schema-valid answer");

    let chat = r#"{"messages":[{"role":"user","content":"Name one skill of a nurse."}],"max_tokens":12,"temperature":0}"#;
    let (status, body) = http(addr, "POST", "/v1/chat/completions", key, chat);
    assert_eq!(status, 200, "{body}");
    let value: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(value["object"], "chat.completion");
    assert!(
        value["usage"]["completion_tokens"]
            .as_u64()
            .is_some_and(|n| (1..=12).contains(&n)),
        "{value}"
    );
    // Greedy chat is deterministic.
    let (_, again) = http(addr, "POST", "/v1/chat/completions", key, chat);
    let again: serde_json::Value = serde_json::from_str(&again).expect("JSON");
    assert_eq!(
        again["choices"][0]["message"],
        value["choices"][0]["message"]
    );
    // Requests cannot name files: a `model` that is not the served one is refused (404, the
    // served name given), an unknown path-like field is ignored, and naming the served model
    // answers exactly as before.
    let named = chat.replace(
        "{\"messages\"",
        "{\"model\":\"/etc/passwd\",\"adapter\":\"../../runs\",\"messages\"",
    );
    let (status, body) = http(addr, "POST", "/v1/chat/completions", key, &named);
    assert!(
        status == 404 && body.contains("not served here"),
        "{status} {body}"
    );
    let served = value["model"].as_str().expect("model name");
    let named = named.replace("/etc/passwd", served);
    let (status, body) = http(addr, "POST", "/v1/chat/completions", key, &named);
    assert_eq!(status, 200, "{body}");
    let named: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        named["choices"][0]["message"],
        value["choices"][0]["message"]
    );

    let stream = chat.replace("\"temperature\":0", "\"temperature\":0,\"stream\":true");
    let (status, body) = http(addr, "POST", "/v1/chat/completions", key, &stream);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("chat.completion.chunk") && body.contains("data: [DONE]"),
        "{body}"
    );

    let schema = r#"{"messages":[{"role":"user","content":"A skill?"}],"max_tokens":40,"temperature":0,"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object","properties":{"skill":{"type":"string"}},"required":["skill"]}}}}"#;
    let (status, body) = http(addr, "POST", "/v1/chat/completions", key, schema);
    assert_eq!(status, 200, "{body}");
    let value: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let content = value["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    if value["choices"][0]["finish_reason"] == "stop" {
        let answer: serde_json::Value =
            serde_json::from_str(content).expect("constrained content is JSON");
        assert!(answer["skill"].is_string(), "{answer}");
    }

    // JSON mode: any object with free keys, never the empty one; once the object closes only
    // the end of the answer may follow, so it stops within its budget.
    let object = r#"{"messages":[{"role":"user","content":"Describe a data engineer job as JSON with the fields title and skills."}],"max_tokens":60,"temperature":0,"response_format":{"type":"json_object"}}"#;
    let answer = constrained_answer(addr, key, object);
    assert!(
        answer.as_object().is_some_and(|o| !o.is_empty()),
        "{answer}"
    );
    // What pydantic writes for a model with an enum and an optional integer.
    let pydantic = r##"{"messages":[{"role":"user","content":"A senior engineer with 7 years."}],"max_tokens":40,"temperature":0,"response_format":{"type":"json_schema","json_schema":{"name":"Profile","schema":{"$defs":{"Level":{"enum":["junior","senior"],"title":"Level","type":"string"}},"properties":{"level":{"$ref":"#/$defs/Level"},"years":{"anyOf":[{"maximum":50,"minimum":0,"type":"integer"},{"type":"null"}],"default":null,"title":"Years"}},"required":["level","years"],"title":"Profile","type":"object"}}}}"##;
    let answer = constrained_answer(addr, key, pydantic);
    assert!(
        ["junior", "senior"].contains(&answer["level"].as_str().unwrap_or_default()),
        "{answer}"
    );
    assert!(
        answer["years"].is_null() || answer["years"].as_u64().is_some_and(|y| y <= 50),
        "{answer}"
    );
    // A pydantic `constr(pattern=...)` field: the answer matches it.
    let code = r#"{"messages":[{"role":"user","content":"Invent a job reference code."}],"max_tokens":40,"temperature":0,"response_format":{"type":"json_schema","json_schema":{"name":"Ref","schema":{"properties":{"code":{"pattern":"^[A-Z]{2}-[0-9]{3}$","title":"Code","type":"string"}},"required":["code"],"title":"Ref","type":"object"}}}}"#;
    let answer = constrained_answer(addr, key, code);
    let code = answer["code"].as_str().unwrap_or_default().as_bytes();
    let shape_ok = code.len() == 6
        && code[..2].iter().all(u8::is_ascii_uppercase)
        && code[2] == b'-'
        && code[3..].iter().all(u8::is_ascii_digit);
    assert!(shape_ok, "{answer}");
    // A pattern a finite automaton cannot check is refused by name, not ignored.
    let lookahead = pydantic.replace(
        r#""title":"Level","type":"string""#,
        r#""title":"Level","type":"string","pattern":"^(?=s)""#,
    );
    let lookahead = lookahead.replace(r#""enum":["junior","senior"],"#, "");
    let (status, body) = http(addr, "POST", "/v1/chat/completions", key, &lookahead);
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("`pattern`") && body.contains("lookaround"),
        "{body}"
    );

    let cases = [
        (
            "/v1/tasks/write_poem",
            "\"x\"".to_string(),
            404,
            "unknown task",
        ),
        (
            "/v1/tasks/score_match",
            r#"{"job": 3}"#.to_string(),
            400,
            "score_match input",
        ),
        (
            "/v1/tasks/extract_skills",
            "{not json".to_string(),
            400,
            "JSON",
        ),
        (
            "/v1/chat/completions",
            r#"{"messages":[{"role":"wizard","content":"x"}]}"#.to_string(),
            400,
            "unknown role",
        ),
        (
            "/v1/chat/completions",
            r#"{"messages":[{"role":"user","content":"x"}],"max_tokens":100000}"#.to_string(),
            400,
            "max_tokens",
        ),
        (
            "/v1/tasks/extract_skills",
            format!("\"{}\"", "a".repeat(5000)),
            413,
            "",
        ),
    ];
    for (path, body, expected, reason) in cases {
        let (status, text) = http(addr, "POST", path, key, &body);
        assert_eq!(status, expected, "{path}: {text}");
        assert!(text.contains(reason), "{path}: {text}");
    }
    let (status, metrics) = http(addr, "GET", "/metrics", key, "");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("hirelm_requests_total{endpoint=\"tasks\",status=\"200\"} 1"),
        "{metrics}"
    );
}

/// OpenAI's semantics: the model list and naming a model, a fresh seed per request that the
/// response names (and that replays the answer), stop sequences with and without streaming, the
/// usage chunk, and fields the server cannot honour refused by name.
#[test]
fn serve_follows_openai_semantics_for_models_seeds_stops_and_unsupported_fields() {
    let server = serve(&["--max-new-tokens", "24"]);
    let addr = server.1.as_str();
    let (status, body) = http(addr, "GET", "/v1/models", None, "");
    assert_eq!(status, 200, "{body}");
    let models: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let name = models["data"][0]["id"]
        .as_str()
        .expect("a model id")
        .to_string();
    assert_eq!(models["object"], "list");

    let chat = |extra: &str| {
        let body = format!(
            r#"{{"messages":[{{"role":"user","content":"Write a sentence about nurses."}}],"max_tokens":24{extra}}}"#
        );
        let (status, text) = http(addr, "POST", "/v1/chat/completions", None, &body);
        (status, text)
    };
    let json = |text: &str| -> serde_json::Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    // Naming the served model works; another name is 404 and names the models served.
    let (status, text) = chat(&format!(r#","model":"{name}","temperature":0"#));
    assert_eq!(status, 200, "{text}");
    let greedy = json(&text);
    let (status, text) = chat(r#","model":"gpt-4o""#);
    assert!(status == 404 && text.contains(&name), "{status} {text}");
    // The list goes on with each set of weights (the shipped adapters, each with its tasks); a
    // chat naming one runs on it and the response says so.
    let routes: Vec<&serde_json::Value> = models["data"].as_array().expect("data")[1..]
        .iter()
        .collect();
    assert!(routes.len() >= 2, "{models}");
    let narrow = routes
        .iter()
        .find(|r| r["tasks"].is_array())
        .expect("an adapter for some tasks");
    let narrow = narrow["id"].as_str().expect("id");
    let (status, text) = chat(&format!(r#","model":"{narrow}","temperature":0"#));
    assert_eq!(status, 200, "{text}");
    assert_eq!(json(&text)["model"], narrow);

    // Sampling without a seed: two requests get different seeds, each named in the response;
    // sending a response's seed back replays its answer.
    let (_, a) = chat(r#","temperature":0.9"#);
    let (_, b) = chat(r#","temperature":0.9"#);
    let (a, b) = (json(&a), json(&b));
    let seed = a["seed"].as_u64().expect("the response names its seed");
    assert_ne!(Some(seed), b["seed"].as_u64(), "{a} {b}");
    let (_, replay) = chat(&format!(r#","temperature":0.9,"seed":{seed}"#));
    assert_eq!(
        json(&replay)["choices"][0]["message"]["content"],
        a["choices"][0]["message"]["content"]
    );

    // A stop sequence taken from inside the greedy answer ends the answer just before it.
    let content = greedy["choices"][0]["message"]["content"]
        .as_str()
        .expect("content")
        .to_string();
    let chars: Vec<char> = content.chars().collect();
    assert!(chars.len() >= 6, "{content}");
    let stop: String = chars[3..5].iter().collect();
    let expected = &content[..content.find(&stop).expect("inside")];
    let stop_json = serde_json::to_string(&stop).expect("json");
    let (status, text) = chat(&format!(r#","temperature":0,"stop":[{stop_json}]"#));
    assert_eq!(status, 200, "{text}");
    let stopped = json(&text);
    assert_eq!(
        (
            stopped["choices"][0]["message"]["content"].as_str(),
            stopped["choices"][0]["finish_reason"].as_str()
        ),
        (Some(expected), Some("stop")),
        "stop {stop:?} in {content:?}"
    );
    // Streamed: the same text, and with include_usage a last chunk of token counts.
    let (status, body) = chat(&format!(
        r#","temperature":0,"stop":{stop_json},"stream":true,"stream_options":{{"include_usage":true}}"#
    ));
    assert_eq!(status, 200, "{body}");
    let (text, chunks) = streamed(&body);
    assert_eq!(text, expected, "{body}");
    let last = chunks.last().expect("chunks");
    assert!(
        last["choices"].as_array().is_some_and(Vec::is_empty)
            && last["usage"]["completion_tokens"]
                .as_u64()
                .is_some_and(|n| n > 0),
        "{body}"
    );
    assert!(
        chunks
            .iter()
            .any(|c| c["choices"][0]["finish_reason"] == "stop"),
        "{body}"
    );

    for (extra, field) in [
        (
            r#","tools":[{"type":"function","function":{"name":"f"}}]"#,
            "`tools`",
        ),
        (r#","logprobs":true"#, "`logprobs`"),
        (r#","stop":["a","b","c","d","e"]"#, "stop"),
        (r#","stream_options":{"include_usage":true}"#, "stream"),
    ] {
        let (status, text) = chat(extra);
        assert!(
            status == 400 && text.contains(field),
            "{extra}: {status} {text}"
        );
    }
    // `logprobs: false` asks for nothing and is accepted.
    assert_eq!(chat(r#","logprobs":false,"temperature":0"#).0, 200);
}
