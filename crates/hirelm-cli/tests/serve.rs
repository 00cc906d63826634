//! `hirelm serve` end to end: typed tasks, OpenAI-compatible chat, limits and abuse.

mod common;

use std::process::Command;

use common::smollm2;

/// One HTTP/1.1 request over a fresh connection: (status, body).
fn http(addr: &str, method: &str, path: &str, key: Option<&str>, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connects");
    let auth = key
        .map(|k| format!("Authorization: Bearer {k}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{auth}\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// `hirelm serve` on a free port, and the lines of its log so far; killed on drop.
struct Server(
    std::process::Child,
    String,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `extra` with `--skills` serves extract_skills and normalise_title by retrieval; otherwise by
/// the language model.
fn serve(extra: &[&str]) -> Server {
    use std::io::BufRead;
    let generate = match extra.contains(&"--skills") {
        true => vec![],
        false => vec!["--generate-skills", "--generate-titles"],
    };
    let root = common::root();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hirelm"))
        .args(["serve", "--listen", "127.0.0.1:0", "--base", &smollm2()])
        .args(generate)
        .args(extra)
        .env("HIRELM_CACHE_DIR", root.join(".cache/hirelm"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("server printed its address")
            .expect("utf-8");
        if let Some(rest) = line.strip_prefix("listening on http://") {
            break rest.split_whitespace().next().expect("address").to_string();
        }
    };
    // Keep reading the server's log so it never blocks on a full pipe.
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = std::sync::Arc::clone(&log);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if let Ok(mut kept) = kept.lock() {
                kept.push(line);
            }
        }
    });
    Server(child, addr, log)
}

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
    let pattern = pydantic.replace(
        r#""title":"Years""#,
        r#""title":"Years","pattern":"^[0-9]+$""#,
    );
    let (status, body) = http(addr, "POST", "/v1/chat/completions", key, &pattern);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("pattern"), "{body}");

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

#[test]
fn serve_refuses_work_beyond_its_queue_with_503_and_retry_after() {
    // The untuned model counts for a second or two; the tuned one answers this kind of prompt
    // in a few tokens, too fast to hold the worker.
    let server = serve(&[
        "--no-adapter",
        "--max-queue",
        "0",
        "--max-new-tokens",
        "200",
    ]);
    let addr = server.1.clone();
    let long = r#"{"messages":[{"role":"user","content":"Count from 1 to 200, separated by commas."}],"max_tokens":200,"temperature":0}"#;
    let busy = std::thread::spawn(move || http(&addr, "POST", "/v1/chat/completions", None, long));
    std::thread::sleep(std::time::Duration::from_millis(400));
    let (status, body) = http(
        &server.1,
        "POST",
        "/v1/tasks/extract_skills",
        None,
        "\"Python\"",
    );
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("queue is full"), "{body}");
    let (first, _) = busy.join().expect("first request");
    assert_eq!(first, 200, "the running request is unaffected");
    let (_, metrics) = http(&server.1, "GET", "/metrics", None, "");
    assert!(
        metrics.contains("hirelm_busy_rejections_total 1"),
        "{metrics}"
    );
}

#[test]
fn serve_cuts_off_slow_clients_and_caps_connections_while_serving_others() {
    use std::io::{Read, Write};
    let server = serve(&["--max-connections", "2", "--header-timeout-secs", "1"]);
    let addr = server.1.as_str();
    // A slow client: half a request line, then nothing.
    let mut slow = std::net::TcpStream::connect(addr).expect("connects");
    slow.write_all(b"GET /hea").expect("writes");
    let mut idle = std::net::TcpStream::connect(addr).expect("connects");
    // Both slots are taken: a third connection is closed without an answer.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut third = std::net::TcpStream::connect(addr).expect("connects");
    let _ = third.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let mut buf = Vec::new();
    let _ = third.read_to_end(&mut buf);
    assert!(
        buf.is_empty(),
        "over the cap: {}",
        String::from_utf8_lossy(&buf)
    );
    // The header deadline frees the slots; the server then serves a well-behaved client.
    slow.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    let mut rest = Vec::new();
    let cut = slow.read_to_end(&mut rest);
    assert!(
        cut.is_ok() && !String::from_utf8_lossy(&rest).contains("200 OK"),
        "slow client was cut off: {cut:?}"
    );
    let _ = idle.read_to_end(&mut rest);
    let (status, body) = http(addr, "GET", "/health", None, "");
    assert_eq!(status, 200, "{body}");
}

/// Resident memory of a process in KiB (Linux).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS");
    line.split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("a number")
}

#[test]
fn serve_refuses_prompts_beyond_the_context_and_stays_bounded_under_repeated_abuse() {
    let server = serve(&["--max-body-bytes", "200000", "--max-new-tokens", "16"]);
    let addr = server.1.as_str();
    let ok = r#"{"messages":[{"role":"user","content":"Name one skill."}],"max_tokens":4,"temperature":0}"#;
    assert_eq!(http(addr, "POST", "/v1/chat/completions", None, ok).0, 200);
    // Over 9,000 tokens: beyond SmolLM2's context of 8,192 and the server's prompt limit.
    let words = "experience ".repeat(9_000);
    let too_long =
        format!(r#"{{"messages":[{{"role":"user","content":"{words}"}}],"max_tokens":4}}"#);
    let (status, body) = http(addr, "POST", "/v1/chat/completions", None, &too_long);
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("the prompt has 9") && body.contains("at most"),
        "{body}"
    );
    let task = format!("\"{words}\"");
    let (status, body) = http(addr, "POST", "/v1/tasks/extract_skills", None, &task);
    assert_eq!(status, 400, "{body}");
    let before = rss_kib(server.0.id());
    let oversized = "x".repeat(300_000);
    for _ in 0..20 {
        assert_eq!(
            http(addr, "POST", "/v1/chat/completions", None, &too_long).0,
            400
        );
        assert_eq!(
            http(
                addr,
                "POST",
                "/v1/chat/completions",
                None,
                "{\"messages\": ["
            )
            .0,
            400
        );
        assert_eq!(
            http(addr, "POST", "/v1/tasks/extract_skills", None, &oversized).0,
            413
        );
    }
    let after = rss_kib(server.0.id());
    eprintln!("server RSS before the abuse {before} KiB, after {after} KiB");
    // Refused requests must not accumulate: 60 of them (12 MB of bodies) may cost allocator
    // slack, not their size.
    assert!(
        after < before + 32 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
    assert_eq!(
        http(addr, "POST", "/v1/chat/completions", None, ok).0,
        200,
        "still serving"
    );
}

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

/// The text of an SSE chat stream's content deltas, and its chunks.
fn streamed(body: &str) -> (String, Vec<serde_json::Value>) {
    let chunks: Vec<serde_json::Value> = body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).expect("chunk is JSON"))
        .collect();
    let text = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    (text, chunks)
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
    // Naming the served model works; another name is 404 and names the one served.
    let (status, text) = chat(&format!(r#","model":"{name}","temperature":0"#));
    assert_eq!(status, 200, "{text}");
    let greedy = json(&text);
    let (status, text) = chat(r#","model":"gpt-4o""#);
    assert!(status == 404 && text.contains(&name), "{status} {text}");

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

/// The parsed content of a constrained chat answer, which must have stopped by itself.
fn constrained_answer(addr: &str, key: Option<&str>, request: &str) -> serde_json::Value {
    let (status, body) = http(addr, "POST", "/v1/chat/completions", key, request);
    assert_eq!(status, 200, "{body}");
    let value: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(value["choices"][0]["finish_reason"], "stop", "{body}");
    let content = value["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    serde_json::from_str(content).unwrap_or_else(|e| panic!("{e}: {content}"))
}

/// SIGTERM stops the server gracefully: the request in flight is answered, then it exits 0;
/// each answered request wrote its log line.
#[test]
fn serve_logs_requests_and_finishes_the_one_in_flight_on_sigterm() {
    let mut server = serve(&[]);
    let addr = server.1.clone();
    let (status, body) = http(&addr, "GET", "/metrics", None, "");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("hirelm_request_seconds_bucket{le=\"+Inf\"}"),
        "{body}"
    );
    let chat = r#"{"messages":[{"role":"user","content":"Write a long job post for a data engineer."}],"max_tokens":120,"temperature":0}"#;
    let in_flight =
        std::thread::spawn(move || http(&addr, "POST", "/v1/chat/completions", None, chat));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = server.0.id().to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let (status, body) = in_flight.join().expect("client thread");
    assert_eq!(status, 200, "the request in flight is answered: {body}");
    let exit = server.0.wait().expect("server exits");
    assert!(exit.success(), "{exit:?}");
    // The log reader may still be draining the pipe.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let log = server.2.lock().map(|l| l.join("\n")).unwrap_or_default();
    assert!(
        log.lines()
            .any(|l| l.starts_with("POST /v1/chat/completions 200 tokens="))
            && log.contains("shut down"),
        "{log}"
    );
}
