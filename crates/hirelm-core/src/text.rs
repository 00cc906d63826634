//! Small text helpers the crates share.

/// `s` with its first character upper-cased and the rest as written ("data engineer" →
/// "Data engineer").
pub fn capitalise_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A name with its first character upper-cased and the rest lower-cased ("MARY" → "Mary"),
/// as name tables list them.
pub fn capitalise_name(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| {
            c.to_uppercase()
                .chain(chars.flat_map(char::to_lowercase))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_letters() {
        assert_eq!(capitalise_first("data engineer"), "Data engineer");
        assert_eq!(capitalise_first("éCOLE"), "ÉCOLE");
        assert_eq!(capitalise_first(""), "");
        assert_eq!(capitalise_name("MARY"), "Mary");
        assert_eq!(capitalise_name("éLODIE"), "Élodie");
    }
}
