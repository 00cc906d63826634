//! Redaction of emails, phone numbers, URLs and street addresses in free text: curation scrubs
//! its inputs with it, and evaluation scrubs model outputs before caching or reporting them.

use regex::Regex;

/// How many of each kind of personal data were replaced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PiiCounts {
    /// Email addresses → `<EMAIL>`.
    pub emails: usize,
    /// Phone numbers → `<PHONE>`.
    pub phones: usize,
    /// URLs → `<URL>`.
    pub urls: usize,
    /// Street addresses → `<ADDRESS>`.
    pub addresses: usize,
}

impl PiiCounts {
    /// Adds another count in place.
    pub fn add(&mut self, other: PiiCounts) {
        self.emails += other.emails;
        self.phones += other.phones;
        self.urls += other.urls;
        self.addresses += other.addresses;
    }
}

/// Compiled redaction patterns; build once, use from many threads.
#[derive(Debug)]
pub struct Redactor {
    email: Regex,
    url: Regex,
    address: Regex,
    phone: Regex,
}

const STREET: &str = "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Square|Sq|Terrace|Parkway";

impl Redactor {
    /// Compiles the patterns.
    pub fn new() -> Self {
        // The patterns are constants: a failure to compile is a programming error caught by tests.
        let re = |p: &str| {
            Regex::new(p).unwrap_or_else(|e| unreachable!("invalid built-in pattern {p}: {e}"))
        };
        Redactor {
            email: re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
            url: re(r"(?i)\b(?:https?://|www\.)[^\s<>()]+[^\s<>().,;:!?]"),
            address: re(&format!(
                r"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][A-Za-z]+\.?\s+){{1,3}}(?:{STREET})\b\.?|\b[A-Z][a-zäöü]+(?:straße|strasse|weg|gasse|straat|laan|vej|gatan)\s+\d{{1,4}}[a-z]?\b"
            )),
            phone: re(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}"),
        }
    }

    /// Replaces personal data in `text`, returning the new text and what was replaced. ESCO
    /// concept URIs are kept whole: the phone pattern would otherwise take the digit runs of
    /// their UUIDs (`5c1eba1e-1234-4567-8901-…`) for phone numbers.
    pub fn redact(&self, text: &str) -> (String, PiiCounts) {
        let mut counts = PiiCounts::default();
        let mut out = String::with_capacity(text.len());
        let mut rest = 0;
        for uri in self
            .url
            .find_iter(text)
            .filter(|m| is_taxonomy_uri(m.as_str()))
        {
            out.push_str(&self.redact_between(&text[rest..uri.start()], &mut counts));
            out.push_str(uri.as_str());
            rest = uri.end();
        }
        out.push_str(&self.redact_between(&text[rest..], &mut counts));
        (out, counts)
    }

    /// [`redact`](Self::redact) of a text with no taxonomy URI in it.
    fn redact_between(&self, text: &str, counts: &mut PiiCounts) -> String {
        let text = self.email.replace_all(text, |_: &regex::Captures<'_>| {
            counts.emails += 1;
            "<EMAIL>"
        });
        let text = self.url.replace_all(&text, |_: &regex::Captures<'_>| {
            counts.urls += 1;
            "<URL>"
        });
        let text = self.address.replace_all(&text, |_: &regex::Captures<'_>| {
            counts.addresses += 1;
            "<ADDRESS>"
        });
        let text = self.phone.replace_all(&text, |c: &regex::Captures<'_>| {
            let m = c.get(0).map(|m| m.as_str()).unwrap_or("");
            let digits = m.chars().filter(char::is_ascii_digit).count();
            let marked = m.starts_with('+') || m.contains('(');
            // Dates (2021-07-14) and ranges (40-60) have fewer digits than a phone number.
            if digits >= 9 || (marked && digits >= 7) {
                counts.phones += 1;
                "<PHONE>".to_string()
            } else {
                m.to_string()
            }
        });
        text.into_owned()
    }
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

/// Redacts `text` with one shared [`Redactor`] (compiled on first use).
pub fn redact(text: &str) -> String {
    static REDACTOR: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
    REDACTOR.get_or_init(Redactor::new).redact(text).0
}

/// [`redact`] for a text that may be JSON: each string value is redacted on its own and the
/// structure kept, since a URL pattern run over compact JSON (`"uri":"https://…","score":1}`)
/// swallows the quotes and brackets after the URL. The text is returned unchanged when nothing
/// was redacted, re-serialised compactly when something was, and redacted as plain text when it
/// is not JSON.
pub fn redact_json(raw: &str) -> String {
    fn redact_strings(value: &mut serde_json::Value, changed: &mut bool) {
        match value {
            serde_json::Value::String(text) => {
                let redacted = redact(text);
                if redacted != *text {
                    *text = redacted;
                    *changed = true;
                }
            }
            serde_json::Value::Array(items) => {
                items.iter_mut().for_each(|v| redact_strings(v, changed));
            }
            serde_json::Value::Object(fields) => {
                fields.values_mut().for_each(|v| redact_strings(v, changed));
            }
            _ => {}
        }
    }
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(raw) else {
        return redact(raw);
    };
    let mut changed = false;
    redact_strings(&mut value, &mut changed);
    if changed {
        value.to_string()
    } else {
        raw.to_string()
    }
}

/// Whether a URL is an ESCO concept identifier (`http://data.europa.eu/esco/occupation/…`): it
/// names a skill or an occupation of the public taxonomy, not a person, and is the very answer
/// of normalise_title.
fn is_taxonomy_uri(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    [
        "http://data.europa.eu/esco/",
        "https://data.europa.eu/esco/",
    ]
    .iter()
    .any(|prefix| lower.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_real_looking_contact_details() {
        let r = Redactor::new();
        let (text, counts) = r.redact(
            "Send your CV to jobs.eu@acme-corp.co.uk or call +49 (0)30 1234 5678; apply at https://careers.acme.com/job?id=12. \
             Visit us at 221B Baker Street, London or Hauptstraße 12.",
        );
        assert_eq!(
            text,
            "Send your CV to <EMAIL> or call <PHONE>; apply at <URL>. Visit us at <ADDRESS>, London or <ADDRESS>."
        );
        assert_eq!(
            counts,
            PiiCounts {
                emails: 1,
                phones: 1,
                urls: 1,
                addresses: 2
            }
        );
        let (text, counts) = r.redact("Tel. (555) 123-4567, www.example.org");
        assert_eq!(
            (text.as_str(), counts.phones, counts.urls),
            ("Tel. <PHONE>, <URL>", 1, 1)
        );
    }

    #[test]
    fn json_keeps_its_structure_and_taxonomy_uris_survive() {
        let esco = "http://data.europa.eu/esco/occupation/47e81c7f-2d04-4a60-a8ff-9913c36d8344";
        let answer = format!(r#"{{"occupations":[{{"score":0.91,"uri":"{esco}"}}]}}"#);
        assert_eq!(redact_json(&answer), answer, "nothing to redact: unchanged");
        // A UUID whose digit runs look like a phone number stays whole, and so does the text
        // around it that holds none.
        let digits = "http://data.europa.eu/esco/occupation/5c1eba1e-1234-4567-8901-4c5906320100";
        assert_eq!(
            redact(&format!("{digits} or call +1 415 555 0132")),
            format!("{digits} or call <PHONE>")
        );
        assert_eq!(
            redact(&format!("see {esco} now")),
            format!("see {esco} now")
        );
        let personal = r#"{"skills":["portfolio at https://jane.example.com/cv","SQL"],"n":2}"#;
        let redacted = redact_json(personal);
        let value: serde_json::Value = serde_json::from_str(&redacted).expect("still JSON");
        assert_eq!(
            value,
            serde_json::json!({"skills": ["portfolio at <URL>", "SQL"], "n": 2})
        );
        // Over the raw text, the URL pattern would have eaten the rest of the JSON.
        assert!(serde_json::from_str::<serde_json::Value>(&redact(personal)).is_err());
        assert_eq!(redact_json("call +1 415 555 0132"), "call <PHONE>");
    }

    #[test]
    fn leaves_dates_salaries_and_versions_alone() {
        let r = Redactor::new();
        let text = "Posted 2021-07-14. Salary 40-60 k, 3-5 years of Python 3.10 and 24/7 on-call; 10 Downing team.";
        let (out, counts) = r.redact(text);
        assert_eq!(out, text);
        assert_eq!(counts, PiiCounts::default());
    }
}
