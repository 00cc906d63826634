//! Counters for `/metrics`, in Prometheus' text format.

use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Request counts by (endpoint, status), token counts and latency sums.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<std::collections::BTreeMap<(&'static str, u16), u64>>,
    pub prompt_tokens: AtomicU64,
    pub completion_tokens: AtomicU64,
    pub busy_rejections: AtomicU64,
    latency_micros: AtomicU64,
}

impl Metrics {
    /// Records one finished request.
    pub fn record(&self, endpoint: &'static str, status: u16, seconds: f64) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((endpoint, status)).or_default() += 1;
        }
        self.latency_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
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
            "# HELP hirelm_request_seconds Time spent answering requests.\n# TYPE hirelm_request_seconds summary"
        );
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
        assert!(
            text.contains("hirelm_queue_requests 2") && text.contains("hirelm_running_requests 1"),
            "{text}"
        );
    }
}
