//! Counters for `/metrics`, in Prometheus' text format, and the log line of each request.

use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Upper bounds (seconds) of the request-latency histogram's buckets: from a retrieval answer
/// (tens of milliseconds) to a long generation near the default 60-second deadline.
const LATENCY_BUCKETS: [f64; 11] = [0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// Request counts by (endpoint, status), token counts and the latency histogram.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<std::collections::BTreeMap<(&'static str, u16), u64>>,
    pub prompt_tokens: AtomicU64,
    pub completion_tokens: AtomicU64,
    pub busy_rejections: AtomicU64,
    latency_micros: AtomicU64,
    /// Requests at or under each bound of [`LATENCY_BUCKETS`] (not cumulative here).
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
}

/// The tokens of one answer, which a handler puts in its response's extensions for the
/// request's log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tokens {
    pub prompt: u64,
    pub completion: u64,
}

impl Metrics {
    /// Records one finished request.
    pub fn record(&self, endpoint: &'static str, status: u16, seconds: f64) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((endpoint, status)).or_default() += 1;
        }
        self.latency_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        if let Some(bucket) = LATENCY_BUCKETS.iter().position(|&bound| seconds <= bound) {
            self.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records a request that started at `started` and writes its log line to stderr.
    pub fn finish(
        &self,
        endpoint: &'static str,
        path: &str,
        status: u16,
        started: Instant,
        tokens: Option<Tokens>,
    ) {
        let seconds = started.elapsed().as_secs_f64();
        self.record(endpoint, status, seconds);
        eprintln!("{}", request_line("POST", path, status, tokens, seconds));
    }

    /// The exposition text; `queued` and `running` are sampled by the caller.
    pub fn render(&self, queued: usize, running: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP hirelm_requests_total Requests by endpoint and HTTP status.\n# TYPE hirelm_requests_total counter"
        );
        let mut total = 0;
        if let Ok(map) = self.requests.lock() {
            for ((endpoint, status), n) in map.iter() {
                total += n;
                let _ = writeln!(
                    out,
                    "hirelm_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let counters = [
            (
                "hirelm_prompt_tokens_total",
                "Prompt tokens processed.",
                self.prompt_tokens.load(Ordering::Relaxed),
            ),
            (
                "hirelm_completion_tokens_total",
                "Tokens generated.",
                self.completion_tokens.load(Ordering::Relaxed),
            ),
            (
                "hirelm_busy_rejections_total",
                "Requests refused because the queue was full.",
                self.busy_rejections.load(Ordering::Relaxed),
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        }
        let seconds = self.latency_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "# HELP hirelm_request_seconds Time spent answering requests.\n# TYPE hirelm_request_seconds histogram"
        );
        let mut cumulative = 0;
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "hirelm_request_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(out, "hirelm_request_seconds_bucket{{le=\"+Inf\"}} {total}");
        let _ = writeln!(
            out,
            "hirelm_request_seconds_sum {seconds:.6}\nhirelm_request_seconds_count {total}"
        );
        let _ = writeln!(
            out,
            "# HELP hirelm_queue_requests Requests admitted and waiting for the model.\n# TYPE hirelm_queue_requests gauge\nhirelm_queue_requests {queued}"
        );
        let _ = writeln!(
            out,
            "# HELP hirelm_running_requests Requests on the model now.\n# TYPE hirelm_running_requests gauge\nhirelm_running_requests {running}"
        );
        out
    }
}

/// One request's log line: `POST /v1/tasks/extract_skills 200 tokens=12+5 0.412s` (`tokens=-`
/// when the answer's tokens are not known when it is logged, as for a stream).
pub fn request_line(
    method: &str,
    path: &str,
    status: u16,
    tokens: Option<Tokens>,
    seconds: f64,
) -> String {
    let tokens = tokens.map_or_else(
        || "-".to_string(),
        |t| format!("{}+{}", t.prompt, t.completion),
    );
    format!("{method} {path} {status} tokens={tokens} {seconds:.3}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_by_endpoint_and_status() {
        let m = Metrics::default();
        m.record("tasks", 200, 0.5);
        m.record("tasks", 200, 1.5);
        m.record("chat", 400, 0.0);
        m.completion_tokens.fetch_add(7, Ordering::Relaxed);
        let text = m.render(2, 1);
        assert!(
            text.contains("hirelm_requests_total{endpoint=\"tasks\",status=\"200\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("hirelm_requests_total{endpoint=\"chat\",status=\"400\"} 1"),
            "{text}"
        );
        assert!(text.contains("hirelm_completion_tokens_total 7"), "{text}");
        assert!(
            text.contains("hirelm_request_seconds_sum 2.000000\nhirelm_request_seconds_count 3"),
            "{text}"
        );
        // Cumulative buckets: 0.0 s and 0.5 s within 0.5, all three within 2.5 and +Inf.
        for line in [
            "hirelm_request_seconds_bucket{le=\"0.025\"} 1",
            "hirelm_request_seconds_bucket{le=\"0.5\"} 2",
            "hirelm_request_seconds_bucket{le=\"1\"} 2",
            "hirelm_request_seconds_bucket{le=\"2.5\"} 3",
            "hirelm_request_seconds_bucket{le=\"+Inf\"} 3",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
        let tokens = Tokens {
            prompt: 12,
            completion: 5,
        };
        assert_eq!(
            request_line(
                "POST",
                "/v1/tasks/extract_skills",
                200,
                Some(tokens),
                0.4123
            ),
            "POST /v1/tasks/extract_skills 200 tokens=12+5 0.412s"
        );
        assert!(request_line("POST", "/x", 503, None, 0.0).contains(" 503 tokens=- "));
        assert!(
            text.contains("hirelm_queue_requests 2") && text.contains("hirelm_running_requests 1"),
            "{text}"
        );
    }
}
