//! The `hirelm` binary end to end, on the fetched models (scripts/fetch-models.sh).

use std::path::PathBuf;
use std::process::{Command, Output};

fn hirelm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hirelm"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn model(relative: &str) -> String {
    hirelm_model::fetched_model(relative)
        .unwrap_or_else(|e| panic!("{e}"))
        .display()
        .to_string()
}

fn smollm2() -> String {
    model(hirelm_model::SMOLLM2_GGUF)
}

#[test]
fn model_info_describes_the_gguf() {
    let out = hirelm(&["model", "info", &smollm2()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("architecture:  llama"), "{text}");
    assert!(text.contains("30 layers, d_model 576"), "{text}");
    assert!(text.contains("Q4_1   210"), "{text}");
}

#[test]
fn truncated_gguf_fails_with_offset_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(smollm2()).expect("reads");
    let cut = dir.path().join("cut.gguf");
    std::fs::write(&cut, &bytes[..1000]).expect("writes");
    let out = hirelm(&["model", "info", cut.to_str().expect("utf-8 path")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("byte offset") && err.contains("field"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn greedy_chat_generation_is_deterministic_and_reports_speed() {
    let args = [
        "generate",
        "--model",
        &smollm2(),
        "--chat",
        "--prompt",
        "Name one skill of a nurse.",
        "--max-tokens",
        "12",
    ];
    let (a, b) = (hirelm(&args), hirelm(&args));
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let text = String::from_utf8_lossy(&a.stdout);
    assert!(!text.trim().is_empty());
    assert_eq!(a.stdout, b.stdout, "greedy decoding must repeat exactly");
    let err = String::from_utf8_lossy(&a.stderr);
    assert!(err.contains("decode") && err.contains("t/s"), "{err}");
}

#[test]
fn invalid_sampling_options_are_refused() {
    let out = hirelm(&[
        "generate",
        "--model",
        &smollm2(),
        "--prompt",
        "x",
        "--top-p",
        "1.5",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--top-p"));
}

#[test]
fn embed_prints_one_unit_vector_per_text() {
    let out = hirelm(&[
        "embed",
        "--model",
        &model("all-minilm-l6-v2"),
        "Rust engineer",
        "Registered nurse",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<f32>> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json array"))
        .collect();
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row.len(), 384);
        let norm: f32 = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    }
}

/// `hirelm eval` gates on the stored CI baseline: a rerun passes, a weakened predictor fails
/// with a per-metric diff, and every report format is written.
#[test]
fn eval_gate_passes_a_rerun_and_fails_a_weakened_predictor() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::var_os("HIRELM_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"));
    assert!(
        shared.join("skill-extraction-benchmark").exists(),
        "{} missing: the real data lives in ../shared/data",
        shared.display()
    );
    let out = tempfile::tempdir().expect("tempdir");
    let run = |extra: &[&str]| {
        let suite = root.join("eval/ci.toml").display().to_string();
        let baseline = root
            .join("eval/baselines/ci-bm25.json")
            .display()
            .to_string();
        let out_dir = out.path().display().to_string();
        let mut args = vec![
            "eval",
            "--no-cache",
            "--suite",
            &suite,
            "--baseline",
            &baseline,
            "--out",
            &out_dir,
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args(&args)
            .env("HIRELM_SHARED_DATA", &shared)
            .output()
            .expect("runs")
    };
    let ok = run(&[]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    for file in ["report.json", "report.md", "junit.xml", "report.html"] {
        assert!(out.path().join(file).exists(), "{file}");
    }
    let first = out.path().join("first.json");
    std::fs::copy(out.path().join("report.json"), &first).expect("keep the first report");
    let weak = run(&["--predictor", "bm25-weakened"]);
    let err = String::from_utf8_lossy(&weak.stderr);
    assert_eq!(
        weak.status.code(),
        Some(1),
        "a weakened predictor fails the gate (status 1, not a failed run)"
    );
    let missing = run(&["--predictor", "no-such-predictor"]);
    assert_eq!(
        missing.status.code(),
        Some(2),
        "a run that cannot run is status 2: {}",
        String::from_utf8_lossy(&missing.stderr)
    );
    assert!(
        err.contains("evaluation gate failed") && err.contains("tech rp@5") && err.contains("FAIL"),
        "{err}"
    );

    // The paired comparison of the two runs calls the weakened predictor significantly worse.
    let paired = |pair: &str| {
        let args = [
            "bench",
            "paired",
            "--report",
            first.to_str().expect("utf-8"),
            "--candidate-report",
        ];
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args(args)
            .arg(out.path().join("report.json"))
            .args(["--pair", pair])
            .output()
            .expect("runs")
    };
    let table = paired("tech:tech");
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let table = String::from_utf8_lossy(&table.stdout);
    let rp5 = table
        .lines()
        .find(|l| l.contains("| rp@5 |"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(rp5.ends_with("| worse |"), "{rp5}");
    assert!(table.contains("(McNemar)"), "{table}");
    let mismatched = paired("tech:house");
    assert!(
        !mismatched.status.success()
            && String::from_utf8_lossy(&mismatched.stderr).contains("different cases")
    );
}

#[test]
fn ask_answers_with_schema_valid_json_from_the_shipped_adapter() {
    let sentence = "Experience with Python and SQL is required.";
    let out = hirelm(&[
        "ask",
        "extract_skills",
        sentence,
        "--base",
        &smollm2(),
        "--generate-skills",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    hirelm_core::validate(hirelm_core::Task::ExtractSkills, &value)
        .expect("valid against the task schema");
    let skills = value["skills"].as_array().expect("skills list");
    assert!(!skills.is_empty(), "the tuned model names a skill: {value}");
    // The same question to the untuned model is answered under the same constraint.
    let base = hirelm(&[
        "ask",
        "extract_skills",
        sentence,
        "--base",
        &smollm2(),
        "--no-adapter",
        "--generate-skills",
    ]);
    assert!(
        base.status.success(),
        "{}",
        String::from_utf8_lossy(&base.stderr)
    );
    let base_value: serde_json::Value =
        serde_json::from_slice(&base.stdout).expect("stdout is JSON");
    hirelm_core::validate(hirelm_core::Task::ExtractSkills, &base_value).expect("valid");
}

/// By default `ask extract_skills` ranks ESCO skills with the shipped fine-tuned encoder
/// (scripts/fetch-data.sh provides the skills); a missing encoder is an error that says how to
/// get one or how to use the language model instead.
#[test]
fn ask_extract_skills_retrieves_esco_skills_with_the_shipped_encoder() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let skills_csv = root.join("data/esco/esco-1.1.1-labels.csv");
    let ask = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args(["ask", "extract_skills"])
            .args(args)
            .arg("--skills")
            .arg(&skills_csv)
            // The ESCO embeddings are cached once per encoder, beside the repository's other caches.
            .env("HIRELM_CACHE_DIR", root.join(".cache/hirelm"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("runs")
    };
    let out = ask(&["Experience with Python and SQL databases is required."]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    hirelm_core::validate(hirelm_core::Task::ExtractSkills, &value)
        .expect("valid against the task schema");
    let skills: Vec<String> = value["skills"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s.as_str())
        .map(str::to_lowercase)
        .collect();
    assert_eq!(skills.len(), 5, "{value}");
    assert!(
        skills
            .iter()
            .any(|s| s.contains("python") || s.contains("sql")),
        "{value}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("ESCO skills"));
    // The server answers the same question the same way, by the same route.
    let server = serve(&["--skills", skills_csv.to_str().expect("utf-8")]);
    let (status, body) = http(
        &server.1,
        "POST",
        "/v1/tasks/extract_skills",
        None,
        "\"Experience with Python and SQL databases is required.\"",
    );
    let served: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("{status} {body}"));
    assert_eq!(
        (status, &served["route"], &served["answer"]),
        (200, &serde_json::json!("encoder"), &value),
        "{body}"
    );
    let missing = ask(&["x", "--encoder", "/nonexistent/encoder"]);
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        !missing.status.success() && err.contains("--generate-skills") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn ask_refuses_an_unknown_task_and_a_missing_adapter() {
    let out = hirelm(&["ask", "write_poem", "x", "--base", &smollm2()]);
    assert!(!out.status.success());
    let out = hirelm(&[
        "ask",
        "extract_skills",
        "x",
        "--base",
        &smollm2(),
        "--adapter",
        "/nonexistent/adapter",
        "--generate-skills",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("adapter_model.safetensors"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn dedup_streams_the_committed_sample_and_names_bad_inputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../datasets/sample/hirelm-v2/train-00000-of-00064.parquet"
    );
    let out = dir.path().join("kept.parquet");
    let report = dir.path().join("report.json");
    let out_s = out.to_string_lossy().to_string();
    let report_s = report.to_string_lossy().to_string();
    let run = hirelm(&[
        "dedup", sample, &out_s, "--column", "input", "--report", &report_s,
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    let (rows, kept) = (
        json["rows"].as_u64().expect("rows"),
        json["kept"].as_u64().expect("kept"),
    );
    assert!(
        rows > 100 && kept <= rows && json["permutations_a"].as_array().map(Vec::len) == Some(128),
        "{json}"
    );
    assert!(out.exists());

    let missing = hirelm(&["dedup", "no/such.parquet", &out_s]);
    assert!(
        !missing.status.success()
            && String::from_utf8_lossy(&missing.stderr).contains("no/such.parquet")
    );
    let bad_column = hirelm(&["dedup", sample, &out_s, "--column", "body"]);
    let stderr = String::from_utf8_lossy(&bad_column.stderr);
    assert!(
        !bad_column.status.success()
            && stderr.contains("no column `body`")
            && stderr.contains("input"),
        "{stderr}"
    );
}

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

/// `hirelm serve` on a free port; killed on drop.
struct Server(std::process::Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `extra` with `--skills` serves extract_skills by retrieval; otherwise by the language model.
fn serve(extra: &[&str]) -> Server {
    use std::io::BufRead;
    let generate = (!extra.contains(&"--skills")).then_some("--generate-skills");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
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
    std::thread::spawn(move || lines.for_each(drop));
    Server(child, addr)
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
    // Requests cannot name files: `model` (and any other path-like field) is ignored, and the
    // configured model answers exactly as before.
    let named = chat.replace(
        "{\"messages\"",
        "{\"model\":\"/etc/passwd\",\"adapter\":\"../../runs\",\"messages\"",
    );
    let (status, body) = http(addr, "POST", "/v1/chat/completions", key, &named);
    assert_eq!(status, 200, "{body}");
    let named: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        (&named["model"], &named["choices"][0]["message"]),
        (&value["model"], &value["choices"][0]["message"])
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
