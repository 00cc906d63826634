//! Span-level F1 over BIO tags (SkillSpan's `tags_skill` / `tags_knowledge`), conlleval style:
//! a span is `(start, end, type)`; an `I-` tag that does not continue a span of its type starts
//! one; a predicted span counts only on an exact match of both ends and type.

use std::collections::HashSet;

/// A span `[start, end)` of tokens with its type (`""` for bare `B`/`I`).
pub type Span = (usize, usize, String);

/// The spans of one BIO tag sequence.
pub fn bio_spans<S: AsRef<str>>(tags: &[S]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.as_ref();
        let (kind, ty) = match tag.split_once('-') {
            Some((k, t)) => (k, t),
            None => (tag, ""),
        };
        let continues = kind == "I" && open.as_ref().is_some_and(|(_, t)| t == ty);
        if !continues {
            if let Some((start, t)) = open.take() {
                spans.push((start, i, t));
            }
            if kind == "B" || kind == "I" {
                open = Some((i, ty.to_string()));
            }
        }
    }
    if let Some((start, t)) = open {
        spans.push((start, tags.len(), t));
    }
    spans
}

/// Micro-averaged span precision, recall and F1 over a corpus.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct SpanScores {
    /// Predicted spans that match a gold span.
    pub true_positives: usize,
    /// Predicted spans that match none.
    pub false_positives: usize,
    /// Gold spans not predicted.
    pub false_negatives: usize,
    /// tp / (tp + fp); 0 when nothing was predicted.
    pub precision: f64,
    /// tp / (tp + fn); 0 when there is no gold span.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
}

/// Span scores of predicted tag sequences against gold ones, sentence by sentence.
pub fn span_f1<S: AsRef<str>>(gold: &[Vec<S>], pred: &[Vec<S>]) -> SpanScores {
    let mut s = SpanScores::default();
    for (g, p) in gold.iter().zip(pred) {
        let g: HashSet<Span> = bio_spans(g).into_iter().collect();
        let p: HashSet<Span> = bio_spans(p).into_iter().collect();
        let tp = g.intersection(&p).count();
        s.true_positives += tp;
        s.false_positives += p.len() - tp;
        s.false_negatives += g.len() - tp;
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    s.precision = ratio(s.true_positives, s.true_positives + s.false_positives);
    s.recall = ratio(s.true_positives, s.true_positives + s.false_negatives);
    s.f1 = if s.precision + s.recall == 0.0 {
        0.0
    } else {
        2.0 * s.precision * s.recall / (s.precision + s.recall)
    };
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_from_bio_tags() {
        let tags = ["O", "B", "I", "O", "I", "B", "B", "I"];
        let spans: Vec<(usize, usize)> = bio_spans(&tags)
            .into_iter()
            .map(|(a, b, _)| (a, b))
            .collect();
        assert_eq!(spans, [(1, 3), (4, 5), (5, 6), (6, 8)]);
        let typed = ["B-SKILL", "I-KNOW", "I-KNOW"];
        assert_eq!(
            bio_spans(&typed),
            [(0, 1, "SKILL".into()), (1, 3, "KNOW".into())]
        );
    }

    #[test]
    fn span_f1_matches_a_hand_computed_case() {
        // Gold spans (1,3), (5,6); predicted (1,3), (4,6), (7,8): tp 1, fp 2, fn 1.
        let gold = vec![vec!["O", "B", "I", "O", "O", "B", "O", "O"]];
        let pred = vec![vec!["O", "B", "I", "O", "B", "I", "O", "B"]];
        let s = span_f1(&gold, &pred);
        assert_eq!(
            (s.true_positives, s.false_positives, s.false_negatives),
            (1, 2, 1)
        );
        assert!((s.precision - 1.0 / 3.0).abs() < 1e-12 && (s.recall - 0.5).abs() < 1e-12);
        assert!((s.f1 - 0.4).abs() < 1e-12, "{}", s.f1);
        let none = span_f1(&[vec!["O"]], &[vec!["O"]]);
        assert_eq!(none.f1, 0.0);
    }
}
