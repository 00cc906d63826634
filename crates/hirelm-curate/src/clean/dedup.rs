//! Exact deduplication by content hash.

use std::collections::HashSet;

use crate::rng::sha256_hex;

/// Keeps the first item of every distinct key (`key` gives the content that identifies a
/// duplicate); returns the kept items and the number removed. Order is preserved.
pub fn exact_dedup<T>(items: Vec<T>, key: impl Fn(&T) -> String) -> (Vec<T>, usize) {
    let mut seen = HashSet::new();
    let before = items.len();
    let kept: Vec<T> = items
        .into_iter()
        .filter(|item| seen.insert(sha256_hex(key(item).as_bytes())))
        .collect();
    let removed = before - kept.len();
    (kept, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_first_of_each_key_in_order() {
        let (kept, removed) = exact_dedup(vec!["a", "b", "a", "c", "b"], |s| s.to_string());
        assert_eq!((kept, removed), (vec!["a", "b", "c"], 2));
    }
}
