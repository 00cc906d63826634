//! Limits and abuse: a full queue, slow clients, oversized prompts, memory under repeated abuse.

use super::*;

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

#[test]
fn serve_answers_slow_bodies_408_so_well_behaved_clients_are_served() {
    use std::io::{Read, Write};
    let server = serve(&["--max-connections", "3", "--body-timeout-secs", "1"]);
    let addr = server.1.as_str();
    // Three clients take every connection slot: prompt headers, then 1 byte of a 100-byte body.
    let started = std::time::Instant::now();
    let slow: Vec<std::net::TcpStream> = (0..3)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(addr).expect("connects");
            s.write_all(
                b"POST /v1/tasks/score_match HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
            )
            .expect("writes");
            s
        })
        .collect();
    // Each gets 408 once its body is a second late, and its connection closes.
    for mut s in slow {
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let mut response = Vec::new();
        s.read_to_end(&mut response).expect("closed by the server");
        let response = String::from_utf8_lossy(&response);
        assert!(response.starts_with("HTTP/1.1 408"), "{response}");
        assert!(response.contains("did not arrive within"), "{response}");
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
    // The slots are free again: a well-behaved client is answered.
    let (status, body) = http(addr, "GET", "/health", None, "");
    assert_eq!(status, 200, "{body}");
    // A declared body over the limit is refused before it is read.
    let mut big = std::net::TcpStream::connect(addr).expect("connects");
    big.write_all(
        b"POST /v1/tasks/score_match HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n",
    )
    .expect("writes");
    let mut response = Vec::new();
    big.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    let _ = big.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
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
