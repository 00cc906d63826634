//! Content tokens of short texts (occupation and skill labels, SOC titles, job-ad sentences):
//! lowercase alphanumeric words (keeping `+` and `#`, as in `C++`), minus stop words, reduced to
//! a crude singular (`developers` → `developer`, `activities` → `activity`).

use std::collections::BTreeSet;

/// Words that carry no occupational content.
const STOP: [&str; 44] = [
    "a",
    "an",
    "and",
    "or",
    "of",
    "the",
    "to",
    "in",
    "on",
    "for",
    "with",
    "by",
    "at",
    "as",
    "from",
    "into",
    "other",
    "all",
    "except",
    "occupation",
    "their",
    "its",
    "is",
    "are",
    "be",
    "this",
    "that",
    "these",
    "such",
    "they",
    "them",
    "it",
    "we",
    "you",
    "your",
    "our",
    "will",
    "can",
    "may",
    "who",
    "which",
    "related",
    "various",
    "etc",
];

/// The crude singular of one lowercase word.
pub fn stem(word: &str) -> String {
    if word.len() <= 3 || word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return word.to_string();
    }
    if let Some(s) = word.strip_suffix("ies") {
        return format!("{s}y");
    }
    for suffix in ["ches", "shes", "sses", "xes"] {
        if let Some(s) = word.strip_suffix(suffix) {
            return format!("{s}{}", &suffix[..suffix.len() - 2]);
        }
    }
    word.strip_suffix('s').unwrap_or(word).to_string()
}

/// The content tokens of `text`, in order (duplicates kept).
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()) && w.chars().any(char::is_alphabetic))
        .map(|w| stem(&w))
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect()
}

/// The distinct content tokens of `text`.
pub fn token_set(text: &str) -> BTreeSet<String> {
    tokens(text).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_drops_stop_words() {
        assert_eq!(tokens("Software Developers"), ["software", "developer"]);
        assert_eq!(tokens("Computer Occupations, All Other"), ["computer"]);
        assert_eq!(
            tokens("coaches of activities in C++"),
            ["coach", "activity", "c++"]
        );
        assert_eq!(stem("business"), "business");
        assert_eq!(stem("analysis"), "analysis");
    }
}
