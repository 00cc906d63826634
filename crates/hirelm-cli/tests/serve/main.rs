//! `hirelm serve` end to end: typed tasks, OpenAI-compatible chat, limits and abuse.
//!
//! One test binary, a module per concern: `openai` (chat, tasks, JSON modes, OpenAI semantics),
//! `openai_client` (the official openai Python package), `limits` (queue, slow clients, abuse),
//! `slow_clients` (many trickling bodies, idle keep-alive), `retrieval` (answers and embeddings
//! by the shipped encoders), `shutdown` (signals, log lines).

#[path = "../common/mod.rs"]
mod common;
mod limits;
mod openai;
mod openai_client;
mod retrieval;
mod shutdown;
mod slow_clients;

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
