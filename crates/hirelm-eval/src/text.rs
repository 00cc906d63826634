//! Text helpers: ESCO label normalisation and the word tokenizer of the lexical baselines.

/// Normalises an ESCO skill label for matching, as the benchmark's data requires: commas and
/// non-breaking spaces become spaces, whitespace runs collapse to one space, ends are trimmed.
/// Case is kept (labels such as `Java (computer programming)` are case-distinct).
///
/// ```
/// assert_eq!(
///     hirelm_eval::text::normalise_label("data extraction, transformation and\u{a0}loading tools "),
///     "data extraction transformation and loading tools"
/// );
/// ```
pub fn normalise_label(label: &str) -> String {
    let replaced: String =
        label.chars().map(|c| if c == ',' || c == '\u{a0}' { ' ' } else { c }).collect();
    replaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

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
        assert_eq!(normalise_label("Java (computer programming)"), "Java (computer programming)");
    }

    #[test]
    fn words_keep_programming_language_names() {
        assert_eq!(words("C++, C# and Node.js!"), ["c++", "c#", "and", "node", "js"]);
        assert!(words("  ,. ").is_empty());
    }
}
