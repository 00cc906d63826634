use super::automaton::DEAD;
use super::*;

/// Whether `text` matches `pattern` by the compiled automaton (strings up to 64 characters).
fn matches(pattern: &str, text: &str) -> bool {
    let spec = PatternSpec::compile(pattern, 0, 64).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    let mut state = PatternSpec::START;
    for c in text.chars() {
        state = spec.step(state, c as u32);
        if state == DEAD {
            return false;
        }
    }
    spec.accepts(state)
}

fn refusal(pattern: &str) -> String {
    PatternSpec::compile(pattern, 0, 64).expect_err(pattern)
}

#[test]
fn the_supported_syntax_matches_as_written() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            r"^[A-Z]{2}-\d{3}$",
            &["AB-123"],
            &["AB-12", "ab-123", "AB-1234", "xAB-123"],
        ),
        ("rust", &["rust", "I like rust!"], &["Rust", "rus"]),
        (
            r"^(?:senior|junior) (dev|eng)$",
            &["senior dev", "junior eng"],
            &["senior", "mid dev"],
        ),
        (
            r"^\w+@\w+\.(com|org)$",
            &["a_b@x.com"],
            &["a@x.co", "@x.com"],
        ),
        (r"^[^0-9\s]*$", &["", "abc", "é"], &["a1", "a b"]),
        (r"^a{2,}b?$", &["aa", "aaab"], &["a", "ab", "aabb"]),
        (r"^\u00e9+\.?$", &["éé."], &["e"]),
        (r"^(?<year>\d{4})-\d\d$", &["2026-12"], &["26-12"]),
        (r"^[\-\]x]+$", &["-]x"], &["a"]),
        (r"^x*?y+?$", &["y", "xxyy"], &["x"]),
        (r"^a\$$", &["a$"], &["a"]),
        ("^.$", &["é", "\u{1F600}"], &["", "ab"]),
    ];
    for (pattern, yes, no) in cases {
        for text in *yes {
            assert!(matches(pattern, text), "{pattern} should match {text:?}");
        }
        for text in *no {
            assert!(
                !matches(pattern, text),
                "{pattern} should not match {text:?}"
            );
        }
    }
}

#[test]
fn agrees_with_the_regex_crate_on_random_strings() {
    let patterns = [
        r"^[ab]+0?$",
        "a.b",
        r"^(ab|ba)*_?$",
        r"^[^a]{1,3}$",
        r"1\d",
        r"^(a|b-)(0|1){2}$",
        r"^[a-b0]*a[ab]{2}$",
        "^(?:a|)b",
        r"_\s0$",
    ];
    let alphabet: Vec<char> = "ab01-_ A".chars().collect();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for pattern in patterns {
        let reference = regex::Regex::new(pattern).expect("valid for the regex crate");
        for _ in 0..400 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 7) as usize;
            let text: String = (0..len)
                .map(|i| alphabet[((seed >> (8 + 5 * i)) % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(
                matches(pattern, &text),
                reference.is_match(&text),
                "{pattern} on {text:?}"
            );
        }
    }
}

#[test]
fn what_an_automaton_cannot_check_is_refused_by_name() {
    for (pattern, says) in [
        ("^(?=a)b", "lookaround"),
        ("a(?!b)", "lookaround"),
        ("(?<=a)b", "lookaround"),
        (r"(a)\1", "backreference"),
        (r"\bword", "word boundary"),
        (r"\p{L}", "property escape"),
        ("a^b", "anchors are supported only"),
        ("^a|b$", "group the alternatives"),
        ("*a", "nothing to repeat"),
        ("a**", "nothing to repeat"),
        ("(ab", "unclosed `(`"),
        ("ab)", "unmatched `)`"),
        ("[ab", "unclosed `[`"),
        ("[z-a]", "out of order"),
        ("a{3,2}", "out of order"),
        ("a{1001}", "above 1000"),
        (r"\q", "unknown escape"),
    ] {
        let error = refusal(pattern);
        assert!(error.contains(says), "{pattern}: {error}");
    }
}

#[test]
fn lengths_bound_what_can_match() {
    let error = PatternSpec::compile(r"^\d{5}$", 0, 3).expect_err("too long for the cap");
    assert!(error.contains("no string of 0 to 3 characters"), "{error}");
    assert!(
        PatternSpec::compile(r"^\d{2,3}$", 4, 10).is_err(),
        "too short for minLength"
    );
    // A pattern of quotes and backslashes only can never be written without escapes.
    assert!(PatternSpec::compile(r#"^["\\]+$"#, 0, 10).is_err());
    let spec = PatternSpec::compile(r"^a+$", 3, 10).expect("compiles");
    assert_eq!(spec.shortest(), 3, "minLength counts");
    let spec = PatternSpec::compile(r"x{4}", 0, 10).expect("compiles");
    assert_eq!(spec.shortest(), 4, "unanchored, the match alone");
}

#[test]
fn decoding_under_a_pattern_closes_on_the_nearest_match_and_refuses_what_cannot_match() {
    use crate::constrain::JsonSchemaConstraint;
    use std::sync::Arc;
    let schema = serde_json::json!({"type": "string", "pattern": r"^[A-Z]{2}-\d{3}$"});
    let compiled = Arc::new(JsonSchemaConstraint::compile(&schema).expect("compiles"));
    let mut state = crate::constrain::ConstraintState::new(Arc::clone(&compiled));
    let mut closing = Vec::new();
    while let Some(byte) = state.closing_byte() {
        closing.push(byte);
        state
            .advance_bytes(&[byte])
            .expect("the closing path's own byte");
    }
    assert_eq!(closing, br#""AA-000""#);
    let mut state = crate::constrain::ConstraintState::new(compiled);
    state.advance_bytes(br#""Q"#).expect("a letter first");
    assert!(!state.accepts(b"1"), "a digit where a letter must come");
    assert!(!state.accepts(b"\""), "closed before the match");
    assert!(!state.accepts(b"\\"), "no escapes under a pattern");
    assert!(
        !state.accepts(&[0xC3]),
        "no two-byte character can come next"
    );
}
