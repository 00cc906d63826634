//! SkillSpan job-posting sentences with BIO skill and knowledge spans (JSON lines).

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use crate::error::{CurateError, SHARED_HINT, open_source};

#[derive(Debug, Deserialize)]
struct RawLine {
    idx: u64,
    tokens: Vec<String>,
    tags_skill: Vec<String>,
    tags_knowledge: Vec<String>,
    source: String,
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

/// Reads a SkillSpan file; every line must be JSON with equal-length tokens and tags.
pub fn read_skillspan(path: &Path) -> Result<Vec<SpanSentence>, CurateError> {
    let reader = std::io::BufReader::new(open_source(path, SHARED_HINT)?);
    let mut sentences = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let n = i as u64 + 1;
        let line = line.map_err(|e| CurateError::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawLine = serde_json::from_str(&line)
            .map_err(|e| CurateError::record(path, n, "json", e.to_string()))?;
        if raw.tags_skill.len() != raw.tokens.len() || raw.tags_knowledge.len() != raw.tokens.len()
        {
            return Err(CurateError::record(
                path,
                n,
                "tags_skill",
                "tag and token counts differ",
            ));
        }
        let mut spans = Vec::new();
        spans_of(&raw.tokens, &raw.tags_skill, &mut spans);
        spans_of(&raw.tokens, &raw.tags_knowledge, &mut spans);
        sentences.push(SpanSentence {
            posting: raw.idx,
            source: raw.source,
            text: detokenize(&raw.tokens),
            spans,
        });
    }
    Ok(sentences)
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
