//! [`ConstraintError`]: why a schema cannot be compiled or a byte/token was refused.

/// Errors of compiling a JSON schema into a decoding constraint and of advancing its state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConstraintError {
    /// The schema uses a keyword the constraint cannot enforce; it is never silently ignored.
    #[error("unsupported schema keyword `{keyword}` at `{path}`")]
    UnsupportedKeyword {
        /// The keyword, e.g. `pattern`.
        keyword: String,
        /// JSON pointer of the schema object that carries it, e.g. `/properties/skills/items`.
        path: String,
    },
    /// The schema is malformed or unsatisfiable under the configured limits.
    #[error("invalid schema at `{path}`: {reason}")]
    InvalidSchema {
        /// JSON pointer of the offending schema object.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A byte was pushed that the constraint does not allow in the current state.
    #[error("byte {byte:#04x} ({shown:?}) is not allowed after {offset} accepted bytes")]
    RejectedByte {
        /// The refused byte.
        byte: u8,
        /// The byte as a character, for messages (`\u{fffd}` when not ASCII).
        shown: char,
        /// How many bytes the state had accepted before this one.
        offset: usize,
    },
    /// A token was pushed that the constraint does not allow in the current state.
    #[error("token {token} is not allowed here: {reason}")]
    RejectedToken {
        /// The refused token id.
        token: u32,
        /// Why: a special token, an unknown id, an early end-of-sequence, or a refused byte.
        reason: String,
    },
    /// The limits passed to the compiler are inconsistent.
    #[error("invalid constraint limits: {0}")]
    InvalidLimits(String),
}

impl ConstraintError {
    /// A [`ConstraintError::RejectedByte`] for `byte` after `offset` accepted bytes.
    pub(crate) fn rejected_byte(byte: u8, offset: usize) -> Self {
        let shown = if byte.is_ascii() {
            byte as char
        } else {
            '\u{fffd}'
        };
        Self::RejectedByte {
            byte,
            shown,
            offset,
        }
    }

    /// A [`ConstraintError::InvalidSchema`] at `path`.
    pub(crate) fn invalid(path: &str, reason: impl Into<String>) -> Self {
        Self::InvalidSchema {
            path: display_path(path),
            reason: reason.into(),
        }
    }

    /// A [`ConstraintError::UnsupportedKeyword`] for `keyword` at `path`.
    pub(crate) fn unsupported(path: &str, keyword: &str) -> Self {
        Self::UnsupportedKeyword {
            keyword: keyword.to_string(),
            path: display_path(path),
        }
    }
}

/// The root pointer is the empty string; show it as `/` so messages stay readable.
fn display_path(path: &str) -> String {
    if path.is_empty() {
        "/".to_string()
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_keyword_path_and_byte() {
        let e = ConstraintError::unsupported("/properties/a", "pattern");
        assert_eq!(
            e.to_string(),
            "unsupported schema keyword `pattern` at `/properties/a`"
        );
        let e = ConstraintError::invalid("", "no type");
        assert_eq!(e.to_string(), "invalid schema at `/`: no type");
        let e = ConstraintError::rejected_byte(b'}', 3);
        assert!(e.to_string().contains("'}'"), "{e}");
    }
}
