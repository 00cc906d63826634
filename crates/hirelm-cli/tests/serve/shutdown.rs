//! Graceful shutdown and the per-request log.

use super::*;

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
