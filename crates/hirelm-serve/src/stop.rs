//! OpenAI's `stop` sequences over decoded pieces: the answer ends before the first stop
//! sequence, which is never sent, and decoding stops there.
//!
//! Pieces arrive a token at a time and a stop sequence may span several, so the scanner holds
//! back the tail that could still begin one, and sends it only once it cannot.

use serde_json::Value;

use crate::api_error::ApiError;

/// OpenAI's limit on stop sequences per request.
const MAX_STOPS: usize = 4;

/// The request's `stop`: a string or a list of up to four strings, none empty.
pub fn parse_stop(stop: Option<&Value>) -> Result<Vec<String>, ApiError> {
    let invalid =
        || ApiError::bad_request("stop must be a string or a list of 1 to 4 non-empty strings");
    let stops: Vec<String> = match stop {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(invalid))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid()),
    };
    if stops.is_empty() || stops.len() > MAX_STOPS || stops.iter().any(String::is_empty) {
        return Err(invalid());
    }
    Ok(stops)
}

/// Text decoded so far, split into what may be sent and what is held back.
#[derive(Debug, Default)]
pub struct StopScan {
    stops: Vec<String>,
    held: String,
    hit: bool,
}

impl StopScan {
    /// A scanner for `stops` (none: every piece passes straight through).
    pub fn new(stops: Vec<String>) -> Self {
        Self {
            stops,
            held: String::new(),
            hit: false,
        }
    }

    /// Whether a stop sequence was found (the caller stops decoding).
    pub fn hit(&self) -> bool {
        self.hit
    }

    /// Takes a decoded piece; returns the text that can be sent now. Once a stop sequence is
    /// found it returns the text before it, and nothing after.
    pub fn push(&mut self, piece: &str) -> String {
        if self.hit {
            return String::new();
        }
        self.held.push_str(piece);
        if let Some(at) = self
            .stops
            .iter()
            .filter_map(|s| self.held.find(s.as_str()))
            .min()
        {
            self.hit = true;
            let out = self.held[..at].to_string();
            self.held.clear();
            return out;
        }
        // Keep the longest tail of `held` that is a proper prefix of some stop sequence.
        let keep = self
            .stops
            .iter()
            .flat_map(|s| {
                (1..s.len())
                    .filter(|&n| s.is_char_boundary(n))
                    .map(move |n| &s[..n])
            })
            .filter(|prefix| self.held.ends_with(prefix))
            .map(str::len)
            .max()
            .unwrap_or(0);
        let cut = self.held.len() - keep;
        let out = self.held[..cut].to_string();
        self.held.drain(..cut);
        out
    }

    /// The held-back tail, at the end of decoding (it began no stop sequence after all).
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(stops: &[&str], pieces: &[&str]) -> (String, bool) {
        let mut scan = StopScan::new(stops.iter().map(|s| s.to_string()).collect());
        let mut out: String = pieces.iter().map(|p| scan.push(p)).collect();
        out.push_str(&scan.finish());
        (out, scan.hit())
    }

    #[test]
    fn a_stop_sequence_across_pieces_ends_the_answer_before_it() {
        assert_eq!(
            run(&["\n\n"], &["Python", "\n", "\nSQL"]),
            ("Python".into(), true)
        );
        // The earliest of several sequences wins.
        assert_eq!(
            run(&["SQL", "th"], &["Py", "thon and SQL"]),
            ("Py".into(), true)
        );
        // A held-back prefix that never completes is sent at the end.
        assert_eq!(run(&["END"], &["a", "E", "N"]), ("aEN".into(), false));
        assert_eq!(run(&[], &["a", "b"]), ("ab".into(), false));
        // Multi-byte text is cut on character boundaries.
        assert_eq!(run(&["é!"], &["caf", "é", "!", "x"]), ("caf".into(), true));
    }

    #[test]
    fn stop_is_a_string_or_up_to_four_strings() {
        assert_eq!(parse_stop(Some(&json!("\n"))).expect("ok"), ["\n"]);
        assert_eq!(
            parse_stop(Some(&json!(["a", "b"]))).expect("ok"),
            ["a", "b"]
        );
        assert!(parse_stop(None).expect("ok").is_empty());
        for bad in [
            json!(""),
            json!([]),
            json!(["a", 1]),
            json!(["a", "b", "c", "d", "e"]),
            json!(3),
        ] {
            assert!(parse_stop(Some(&bad)).is_err(), "{bad}");
        }
    }
}
