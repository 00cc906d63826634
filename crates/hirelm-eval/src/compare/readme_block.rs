//! The comparison's block in a Markdown file (the README's or `docs/results.md`): it sits between
//! two markers, and a rerun replaces what is between them and nothing else.

/// The README markers the block goes between.
pub const README_BEGIN: &str = "<!-- compare:begin -->";
/// See [`README_BEGIN`].
pub const README_END: &str = "<!-- compare:end -->";

/// `text` with the block between the README markers replaced by `block`; `Err` names a missing
/// marker.
pub fn splice_readme(text: &str, block: &str) -> crate::Result<String> {
    let missing = |what: String| crate::EvalError::Invalid(what);
    let begin = text
        .find(README_BEGIN)
        .ok_or_else(|| missing(format!("no `{README_BEGIN}` marker")))?;
    let end = text[begin..]
        .find(README_END)
        .map(|e| begin + e)
        .ok_or_else(|| missing(format!("no `{README_END}` after `{README_BEGIN}`")))?;
    Ok(format!(
        "{}{README_BEGIN}\n{}\n{}",
        &text[..begin],
        block.trim_end(),
        &text[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_block_is_replaced_between_its_markers_only() {
        let text = format!("intro\n{README_BEGIN}\nold table\n{README_END}\noutro\n");
        let out = splice_readme(&text, "new table\n").expect("markers");
        assert_eq!(
            out,
            format!("intro\n{README_BEGIN}\nnew table\n{README_END}\noutro\n")
        );
        assert_eq!(
            splice_readme(&out, "new table").expect("again"),
            out,
            "idempotent"
        );
        assert!(
            splice_readme("no markers", "x")
                .unwrap_err()
                .to_string()
                .contains(README_BEGIN)
        );
        assert!(
            splice_readme(README_BEGIN, "x")
                .unwrap_err()
                .to_string()
                .contains(README_END)
        );
    }
}
