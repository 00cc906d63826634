//! Text helpers: ESCO label normalisation and the word tokenizer of the lexical baselines.

/// The one ESCO label normalisation (in `hirelm-core`, shared with curation's training pairs).
///
/// ```
/// assert_eq!(
///     hirelm_eval::text::normalise_label("data extraction, transformation and\u{a0}loading tools "),
///     "data extraction transformation and loading tools"
/// );
/// ```
pub use hirelm_core::normalise_label;

/// Lower-cased alphanumeric words (`+` and `#` kept inside words, for `C++` and `C#`).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_label_handles_the_benchmark_quirks() {
        assert_eq!(normalise_label("plan "), "plan");
        assert_eq!(normalise_label("a,b"), "a b");
        assert_eq!(normalise_label("a , b"), "a b");
        assert_eq!(normalise_label("\u{a0}x\u{a0}\u{a0}y"), "x y");
        assert_eq!(
            normalise_label("Java (computer programming)"),
            "Java (computer programming)"
        );
    }

    #[test]
    fn words_keep_programming_language_names() {
        assert_eq!(
            words("C++, C# and Node.js!"),
            ["c++", "c#", "and", "node", "js"]
        );
        assert!(words("  ,. ").is_empty());
    }
}
