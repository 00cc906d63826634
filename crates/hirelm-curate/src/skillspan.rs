//! SkillSpan job-posting sentences with BIO skill and knowledge spans (JSON lines): the one
//! reader of the files, for curation ([`read_skillspan`]: text and span strings) and for
//! evaluation ([`read_span_records`]: tokens and tags, what span F1 is scored on).

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use crate::error::{CurateError, SHARED_HINT, open_source};

/// One line of a SkillSpan file: a tokenised sentence with its BIO tags (Zhang et al., 2022).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SpanRecord {
    /// The posting id (groups sentences of one job ad).
    #[serde(rename = "idx")]
    pub posting: u64,
    /// Tokens.
    pub tokens: Vec<String>,
    /// Skill BIO tags, one per token.
    pub tags_skill: Vec<String>,
    /// Knowledge BIO tags, one per token.
    pub tags_knowledge: Vec<String>,
    /// `tech` or `house`.
    pub source: String,
}

/// One sentence of a SkillSpan posting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanSentence {
    /// The posting id (groups sentences of one job ad).
    pub posting: u64,
    /// `tech` or `house`.
    pub source: String,
    /// The detokenised sentence.
    pub text: String,
    /// Skill and knowledge span texts, in order.
    pub spans: Vec<String>,
}

/// Joins tokens into text, without spaces before closing punctuation or after opening brackets.
pub fn detokenize(tokens: &[String]) -> String {
    let mut out = String::new();
    for t in tokens {
        let no_space = [",", ".", ";", ":", ")", "!", "?", "'s", "%"].contains(&t.as_str())
            || out.ends_with('(')
            || out.is_empty();
        if !no_space {
            out.push(' ');
        }
        out.push_str(t);
    }
    out
}

fn spans_of(tokens: &[String], tags: &[String], out: &mut Vec<String>) {
    let mut current: Vec<String> = Vec::new();
    for (token, tag) in tokens.iter().zip(tags) {
        if tag == "B" || (tag == "I" && current.is_empty()) {
            if !current.is_empty() {
                out.push(detokenize(&current));
            }
            current = vec![token.clone()];
        } else if tag == "I" {
            current.push(token.clone());
        } else if !current.is_empty() {
            out.push(detokenize(&current));
            current.clear();
        }
    }
    if !current.is_empty() {
        out.push(detokenize(&current));
    }
}

/// Reads a SkillSpan file's lines; every line must be JSON with as many tags in each layer as
/// tokens (an error names the line and the layer).
pub fn read_span_records(path: &Path) -> Result<Vec<SpanRecord>, CurateError> {
    let reader = std::io::BufReader::new(open_source(path, SHARED_HINT)?);
    let mut records = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let n = i as u64 + 1;
        let line = line.map_err(|e| CurateError::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: SpanRecord = serde_json::from_str(&line)
            .map_err(|e| CurateError::record(path, n, "json", e.to_string()))?;
        for (field, tags) in [
            ("tags_skill", &record.tags_skill),
            ("tags_knowledge", &record.tags_knowledge),
        ] {
            if tags.len() != record.tokens.len() {
                let counts = format!("{} tags for {} tokens", tags.len(), record.tokens.len());
                return Err(CurateError::record(path, n, field, counts));
            }
        }
        records.push(record);
    }
    Ok(records)
}

/// Reads a SkillSpan file as sentences with their span texts (skills, then knowledge).
pub fn read_skillspan(path: &Path) -> Result<Vec<SpanSentence>, CurateError> {
    let records = read_span_records(path)?;
    Ok(records
        .into_iter()
        .map(|record| {
            let mut spans = Vec::new();
            spans_of(&record.tokens, &record.tags_skill, &mut spans);
            spans_of(&record.tokens, &record.tags_knowledge, &mut spans);
            SpanSentence {
                posting: record.posting,
                text: detokenize(&record.tokens),
                source: record.source,
                spans,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn bio_spans_and_detokenisation() {
        let tokens = s(&[
            "Strong", "Python", "(", "Django", ")", "skills", ",", "and", "team", "work", ".",
        ]);
        let tags = s(&["O", "B", "O", "B", "O", "O", "O", "O", "B", "I", "O"]);
        let mut spans = Vec::new();
        spans_of(&tokens, &tags, &mut spans);
        assert_eq!(spans, vec!["Python", "Django", "team work"]);
        assert_eq!(
            detokenize(&tokens),
            "Strong Python (Django) skills, and team work."
        );
    }
}
