//! Slow and idle clients against a server that keeps answering: many clients trickling their
//! bodies while a well-behaved one is served on time, and a kept-alive connection that goes idle.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::*;

/// A score_match input the rule matcher answers at once.
const MATCH: &str = r#"{"job": {"title": "Backend engineer", "required_skills": ["Rust", "SQL"], "budget": {"kind": "hourly", "min_usd": 50, "max_usd": 80}, "time_zone": "Europe/Berlin", "hours_per_week": 30}, "candidate": {"id": "c1", "name": "Ada", "headline": "Systems programmer", "skills": ["Rust"], "hourly_rate_usd": 70, "time_zone": "Europe/Paris", "hours_per_week": 20}}"#;

#[test]
fn serve_answers_well_behaved_clients_on_time_while_many_send_slowly() {
    let server = serve(&["--max-connections", "64", "--body-timeout-secs", "3"]);
    let addr = server.1.clone();
    // 40 clients send their headers, then a byte of their 100-byte body every 300 ms for 2.4 s
    // and stop (a write after the server's 408 could reset the connection and lose the answer).
    let started = Instant::now();
    let mut slow: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).expect("connects");
            s.write_all(
                b"POST /v1/tasks/score_match HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n",
            )
            .expect("writes");
            s
        })
        .collect();
    let trickle = std::thread::spawn(move || {
        for _ in 0..8 {
            std::thread::sleep(Duration::from_millis(300));
            for s in &mut slow {
                s.write_all(b" ").expect("still open before the deadline");
            }
        }
        slow
    });
    // Meanwhile a well-behaved client is answered, each request well within its deadline.
    for _ in 0..5 {
        let asked = Instant::now();
        let (status, body) = http(&addr, "POST", "/v1/tasks/score_match", None, MATCH);
        assert_eq!(status, 200, "{body}");
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "answered in {:?} beside the slow clients",
            asked.elapsed()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the well-behaved requests overlapped the slow ones"
    );
    // Every slow client gets 408 once its body is late, and its connection closes.
    for mut s in trickle.join().expect("trickle") {
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut response = Vec::new();
        let _ = s.read_to_end(&mut response);
        let response = String::from_utf8_lossy(&response);
        assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    }
}

#[test]
fn serve_closes_a_kept_alive_connection_left_idle() {
    let server = serve(&["--header-timeout-secs", "1"]);
    let mut stream = TcpStream::connect(&server.1).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    // One request on a kept-alive connection, answered in full.
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        .expect("writes");
    let mut response = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&response).contains("\"status\":\"ok\"") {
        let n = stream.read(&mut chunk).expect("reads the answer");
        assert!(n > 0, "closed before answering");
        response.extend_from_slice(&chunk[..n]);
    }
    assert!(String::from_utf8_lossy(&response).starts_with("HTTP/1.1 200"));
    // Then nothing: the server closes the connection once it has been idle past the header
    // deadline (the read ends with end-of-file, not the 10 s read timeout).
    let idle = Instant::now();
    let mut rest = Vec::new();
    let ended = stream.read_to_end(&mut rest);
    assert!(ended.is_ok(), "not closed: {ended:?}");
    assert!(
        idle.elapsed() < Duration::from_secs(5),
        "closed after {:?} idle",
        idle.elapsed()
    );
}
