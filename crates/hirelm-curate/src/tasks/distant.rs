//! extract_skills by distant supervision: each SkillSpan `train` span is mapped to its nearest
//! ESCO skill label by cosine similarity of sentence embeddings (MiniLM in the CLI).
//!
//! A sentence is kept when every one of its spans reaches `min_confidence` (a partly labelled
//! sentence would teach the model to miss skills); its confidence is the lowest span similarity,
//! rounded to 4 decimals so that tiny float differences between runs cannot change the bytes
//! written. Sentences without spans are negatives (empty skill list); a seeded sample of at most
//! `max_negatives_per_labelled` per labelled sentence is kept (most are boilerplate such as
//! `Date posted: …`).

use std::collections::{BTreeSet, HashMap};

use hirelm_core::{Example, Task};
use rayon::prelude::*;
use serde_json::json;

use super::{SKILLSPAN_SOURCE, provenance};
use crate::error::CurateError;
use crate::esco::EscoConcept;
use crate::rng::stable_hash;
use crate::skillspan::SpanSentence;

/// Turns texts into L2-normalised embeddings (the CLI wraps `hirelm_model::bert::SentenceEncoder`).
pub trait Embedder: Sync {
    /// One embedding per text, each of the same dimension and unit length.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, CurateError>;
}

/// Counts of [`distant_supervision`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistantStats {
    /// Sentences read.
    pub sentences: usize,
    /// Spans read.
    pub spans: usize,
    /// Spans at or above the confidence threshold.
    pub spans_kept: usize,
    /// Sentences kept with at least one label.
    pub labelled: usize,
    /// Sentences kept with no span (negatives).
    pub negatives: usize,
    /// Sentences with no span left out by the negatives cap.
    pub negatives_capped: usize,
    /// Sentences dropped because a span fell below the threshold.
    pub dropped_low_confidence: usize,
}

fn embed_all(
    embedder: &dyn Embedder,
    texts: &[&str],
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<Vec<f32>>, CurateError> {
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(256) {
        out.extend(embedder.embed(chunk)?);
        progress(chunk.len());
    }
    if out.len() != texts.len() {
        return Err(CurateError::Embed(format!(
            "{} embeddings for {} texts",
            out.len(),
            texts.len()
        )));
    }
    Ok(out)
}

/// Labels SkillSpan sentences with ESCO skills; `progress` receives the number of texts embedded.
pub fn distant_supervision(
    sentences: &[SpanSentence],
    skills: &[EscoConcept],
    embedder: &dyn Embedder,
    min_confidence: f64,
    max_negatives_per_labelled: f64,
    seed: u64,
    progress: &mut dyn FnMut(usize),
) -> Result<(Vec<Example>, DistantStats), CurateError> {
    let labels: Vec<&str> = skills.iter().map(|s| s.label.as_str()).collect();
    let spans: Vec<&str> = sentences
        .iter()
        .flat_map(|s| s.spans.iter().map(String::as_str))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let label_vecs = embed_all(embedder, &labels, progress)?;
    let span_vecs = embed_all(embedder, &spans, progress)?;
    let nearest: HashMap<&str, (usize, f64)> = spans
        .par_iter()
        .zip(span_vecs.par_iter())
        .map(|(span, v)| {
            let best = label_vecs
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    (
                        i,
                        f64::from(l.iter().zip(v).map(|(a, b)| a * b).sum::<f32>()),
                    )
                })
                .fold((0, f64::MIN), |best, x| if x.1 > best.1 { x } else { best });
            (*span, (best.0, (best.1 * 1e4).round() / 1e4))
        })
        .collect();
    let mut stats = DistantStats {
        sentences: sentences.len(),
        ..DistantStats::default()
    };
    let mut out = Vec::new();
    let mut negatives = Vec::new();
    for s in sentences {
        stats.spans += s.spans.len();
        let matched: Vec<(usize, f64)> = s
            .spans
            .iter()
            .filter_map(|span| nearest.get(span.as_str()).copied())
            .collect();
        let kept = matched.iter().filter(|m| m.1 >= min_confidence).count();
        stats.spans_kept += kept;
        if kept < s.spans.len() {
            stats.dropped_low_confidence += 1;
            continue;
        }
        let confidence = matched
            .iter()
            .map(|m| m.1)
            .fold(None, |acc: Option<f64>, c| {
                Some(acc.map_or(c, |a| a.min(c)))
            });
        let found: BTreeSet<&str> = matched.iter().map(|m| labels[m.0]).collect();
        let mut p = provenance(
            SKILLSPAN_SOURCE,
            "MIT (SkillSpan); CC-BY-4.0 (ESCO labels)",
            false,
            seed,
            format!("skillspan/{}/{}", s.source, s.posting),
        );
        p.confidence = confidence;
        let example = Example {
            task: Task::ExtractSkills,
            input: json!(s.text),
            target: json!({"skills": found}),
            provenance: p,
        };
        if found.is_empty() {
            negatives.push(example);
        } else {
            stats.labelled += 1;
            out.push(example);
        }
    }
    // Keep a seeded sample of negatives, at most `max_negatives_per_labelled` per labelled one.
    let cap = (stats.labelled as f64 * max_negatives_per_labelled).floor() as usize;
    negatives.sort_by_key(|e| stable_hash(&format!("{seed}/negative/{}", e.input)));
    stats.negatives_capped = negatives.len().saturating_sub(cap);
    negatives.truncate(cap);
    stats.negatives = negatives.len();
    out.extend(negatives);
    Ok((out, stats))
}
