//! Unicode NFC normalisation and whitespace cleanup.

use unicode_normalization::UnicodeNormalization;

/// NFC-normalises `text`, turns control characters into spaces, collapses runs of whitespace
/// (including non-breaking spaces) into one space and trims the ends.
pub fn normalise_text(text: &str) -> String {
    let nfc: String = text
        .nfc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_and_collapses() {
        assert_eq!(
            normalise_text("  Cafe\u{301}\u{a0}\tmanager\n\u{7}ok "),
            "Caf\u{e9} manager ok"
        );
    }
}
