//! SkillSpan (Zhang et al., 2022): JSON lines `{"tokens": [...], "tags_skill": [...],
//! "tags_knowledge": [...], "source": "tech"|"house"}`, BIO tags per token.

use std::path::Path;

use serde::Deserialize;

use crate::{EvalError, Result};

/// One tokenised sentence with its gold BIO tags.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SpanSentence {
    /// Tokens.
    pub tokens: Vec<String>,
    /// Skill BIO tags, one per token.
    pub tags_skill: Vec<String>,
    /// Knowledge BIO tags, one per token.
    pub tags_knowledge: Vec<String>,
    /// `tech` or `house`.
    #[serde(default)]
    pub source: String,
}

/// Reads a SkillSpan JSON-lines file; a tag list whose length differs from the tokens' is an error.
pub fn load_skillspan(path: &Path) -> Result<Vec<SpanSentence>> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let s: SpanSentence = serde_json::from_str(line)
            .map_err(|e| EvalError::parse(path, i + 1, "record", e.to_string()))?;
        for (field, tags) in [
            ("tags_skill", &s.tags_skill),
            ("tags_knowledge", &s.tags_knowledge),
        ] {
            if tags.len() != s.tokens.len() {
                let msg = format!("{} tags for {} tokens", tags.len(), s.tokens.len());
                return Err(EvalError::parse(path, i + 1, field, msg));
            }
        }
        out.push(s);
    }
    Ok(out)
}
