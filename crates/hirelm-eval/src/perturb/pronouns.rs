//! The `pronoun_swap` transform: third-person pronouns swapped between he and she, keeping case.
//!
//! | from | to |
//! | --- | --- |
//! | he ↔ she, himself ↔ herself | one to one |
//! | him, his | her |
//! | hers | his |
//! | her | his before a word, him otherwise (before punctuation or at the end) |
//!
//! `her` is ambiguous (object or possessive); the rule above gets "her code" → "his code" and
//! "ask her." → "ask him." right, and "gave her work" wrong ("his work"), which is still a
//! grammatical, name-group-swapped sentence, the point of the pack.

fn map(word: &str, next_is_word: bool) -> Option<&'static str> {
    Some(match word {
        "he" => "she",
        "she" => "he",
        "him" | "his" => "her",
        "hers" => "his",
        "her" if next_is_word => "his",
        "her" => "him",
        "himself" => "herself",
        "herself" => "himself",
        _ => return None,
    })
}

fn with_case_of(template: &str, word: &str) -> String {
    if template.len() > 1 && template.chars().all(|c| c.is_uppercase()) {
        word.to_uppercase()
    } else if template.chars().next().is_some_and(char::is_uppercase) {
        hirelm_core::text::capitalise_first(word)
    } else {
        word.to_string()
    }
}

/// `text` with pronouns swapped, and whether anything changed.
pub fn swap_pronouns(text: &str) -> (String, bool) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if !c.is_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && (chars[j].1.is_alphanumeric() || chars[j].1 == '\'') {
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |&(e, _)| e);
        let word = &text[start..end];
        // The next non-space character starts a word.
        let next_is_word = chars[j..]
            .iter()
            .find(|(_, c)| *c != ' ')
            .is_some_and(|(_, c)| c.is_alphanumeric());
        match map(&word.to_lowercase(), next_is_word) {
            Some(to) => {
                out.push_str(&with_case_of(word, to));
                changed = true;
            }
            None => out.push_str(word),
        }
        i = j;
    }
    (out, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_swaps() {
        let (s, changed) =
            swap_pronouns("He said she would review his code; ask her. Her notes: HIS, hers.");
        assert!(changed);
        assert_eq!(
            s,
            "She said he would review her code; ask him. His notes: HER, his."
        );
        assert_eq!(
            swap_pronouns("She taught herself Rust"),
            ("He taught himself Rust".to_string(), true)
        );
        assert_eq!(
            swap_pronouns("The shepherd helped them"),
            ("The shepherd helped them".to_string(), false)
        );
        assert_eq!(swap_pronouns(""), (String::new(), false));
    }
}
