//! SkillSkape (Magron et al., 2024; MIT): synthetic job-ad sentences, each with the ESCO skills
//! it expresses, as `,sentence,skills` CSV rows whose `skills` field is a Python list literal
//! (`['present reports']`, `["identify with the company's goals"]`, `['UNK']` for none).

use std::path::Path;

use crate::text::normalise_label;
use crate::{EvalError, Result};

/// The label SkillSkape writes for a sentence without a skill.
pub const NO_SKILL: &str = "UNK";

/// One sentence and its skills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillSkapeRow {
    /// The sentence.
    pub sentence: String,
    /// Its ESCO skills, normalised with [`normalise_label`], each once; empty for `['UNK']`.
    pub labels: Vec<String>,
}

/// Reads a SkillSkape CSV (`train.csv`, `dev.csv`).
pub fn load_skillskape(path: &Path) -> Result<Vec<SkillSkapeRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| EvalError::parse(path, 0, "file", e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| EvalError::parse(path, 1, "header", e.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| EvalError::parse(path, 1, name, "column missing from the header"))
    };
    let (sentence_col, skills_col) = (column("sentence")?, column("skills")?);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| EvalError::parse(path, line, "row", e.to_string()))?;
        let sentence = record
            .get(sentence_col)
            .unwrap_or_default()
            .trim()
            .to_string();
        if sentence.is_empty() {
            return Err(EvalError::parse(path, line, "sentence", "empty"));
        }
        let list = record.get(skills_col).unwrap_or_default();
        let raw = parse_python_strings(list)
            .map_err(|reason| EvalError::parse(path, line, "skills", reason))?;
        let mut labels: Vec<String> = Vec::new();
        for label in raw
            .iter()
            .filter(|l| l.trim() != NO_SKILL)
            .map(|l| normalise_label(l))
        {
            if !label.is_empty() && !labels.contains(&label) {
                labels.push(label);
            }
        }
        rows.push(SkillSkapeRow { sentence, labels });
    }
    Ok(rows)
}

/// Parses a Python list of string literals, quoted with `'` or `"`, backslash escapes allowed.
fn parse_python_strings(text: &str) -> std::result::Result<Vec<String>, String> {
    let inner = text
        .trim()
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or_else(|| format!("not a Python list: `{text}`"))?;
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let Some(quote) = chars.next() else { break };
        if quote != '\'' && quote != '"' {
            return Err(format!("expected a quoted string in `{text}`"));
        }
        let mut value = String::new();
        loop {
            match chars.next() {
                Some('\\') => value.extend(chars.next()),
                Some(c) if c == quote => break,
                Some(c) => value.push(c),
                None => return Err(format!("unterminated string in `{text}`")),
            }
        }
        out.push(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_lists_parse_with_either_quote() {
        assert_eq!(
            parse_python_strings("['a', 'b c']").expect("ok"),
            ["a", "b c"]
        );
        assert_eq!(
            parse_python_strings(r#"["the company's goals", 'x']"#).expect("ok"),
            ["the company's goals", "x"]
        );
        assert_eq!(
            parse_python_strings("[]").expect("ok"),
            Vec::<String>::new()
        );
        assert!(parse_python_strings("'a'").is_err());
        assert!(parse_python_strings("['a").is_err());
    }

    #[test]
    fn rows_keep_real_skills_and_bad_rows_name_their_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("dev.csv");
        std::fs::write(&path, ",sentence,skills\n0,Lead people.,\"['lead a team', 'manage staff, budgets', 'lead a team']\"\n1,Nothing here.,['UNK']\n").expect("write");
        let rows = load_skillskape(&path).expect("load");
        assert_eq!(rows[0].labels, ["lead a team", "manage staff budgets"]);
        assert!(rows[1].labels.is_empty());
        std::fs::write(&path, ",sentence,skills\n0,Lead people.,['lead a team'\n").expect("write");
        let err = load_skillskape(&path).unwrap_err().to_string();
        assert!(err.contains(":2") && err.contains("skills"), "{err}");
    }
}
