//! Training pairs of the sentence encoder, built from the ESCO taxonomy, SkillSkape's synthetic
//! job-ad sentences and vacancy titles, decontaminated against the evaluation sentences.
//!
//! - [`taxonomy`]: ESCO skills with exact label boundaries, skill groups and definitions.
//! - [`build_pairs`]: every source → [`EncoderPair`]s, with counts for the card.
//! - [`write_pairs`]: `pairs.jsonl` and `card.md`, each written atomically.

pub mod taxonomy;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use hirelm_core::{EncoderPair, PairSource, normalise_label};

use crate::decontam::Decontaminator;
use crate::error::CurateError;
use crate::rng::Rng;
pub use taxonomy::{EscoSkill, attach_definitions, read_esco_labels};

/// A sentence with the ESCO skill labels it expresses (SkillSkape's `train.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledSentence {
    /// The sentence.
    pub sentence: String,
    /// Its skills' preferred labels (none for a sentence without a skill).
    pub labels: Vec<String>,
}

/// What the pairs are built from. Titles are `(title, occupation URI)` rows of the *training*
/// side of the evaluation's title split: the caller splits, so both use one split.
#[derive(Debug, Clone, Copy)]
pub struct PairSources<'a> {
    /// ESCO skills (see [`taxonomy`]).
    pub skills: &'a [EscoSkill],
    /// Labelled job-ad sentences.
    pub sentences: &'a [LabelledSentence],
    /// Vacancy titles with their occupation.
    pub titles: &'a [(String, String)],
}

/// Knobs of [`build_pairs`].
#[derive(Debug, Clone, PartialEq)]
pub struct PairOptions {
    /// Seed of every random choice.
    pub seed: u64,
    /// At most this many alternative labels per skill (ESCO has up to ~50 for some skills).
    pub max_alternatives_per_skill: usize,
    /// Concatenated sentences to add, as a share of the labelled sentences.
    pub concatenated_share: f64,
    /// At most this many title pairs per occupation, so common occupations do not dominate.
    pub max_titles_per_occupation: usize,
}

impl Default for PairOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            max_alternatives_per_skill: 4,
            concatenated_share: 0.15,
            max_titles_per_occupation: 12,
        }
    }
}

/// Built pairs with what the card reports.
#[derive(Debug, Clone, Default)]
pub struct PairSet {
    /// The pairs, grouped by source in [`PairSource::ALL`] order.
    pub pairs: Vec<EncoderPair>,
    /// Pairs kept per source.
    pub kept: BTreeMap<PairSource, usize>,
    /// Pairs dropped per source because their anchor overlaps an evaluation sentence.
    pub contaminated: BTreeMap<PairSource, usize>,
    /// The evaluation files decontaminated against.
    pub decontam_files: Vec<std::path::PathBuf>,
    /// Words per n-gram of the overlap test.
    pub decontam_ngram: usize,
    /// The options used.
    pub options: Option<PairOptions>,
}

/// Builds every source's pairs. Anchors overlapping an evaluation sentence (exactly, by an
/// n-gram, or as a near duplicate; see [`Decontaminator`]) are dropped and counted.
pub fn build_pairs(
    sources: PairSources<'_>,
    options: &PairOptions,
    decontam: Option<&Decontaminator>,
) -> PairSet {
    let mut candidates: Vec<EncoderPair> = Vec::new();
    let mut push = |anchor: &str, positive: &str, key: &str, source: PairSource| {
        candidates.push(EncoderPair {
            anchor: anchor.trim().to_string(),
            positive: positive.to_string(),
            key: key.to_string(),
            source,
        });
    };
    let mut rng = Rng::derive(options.seed, "encoder-pairs");
    for skill in sources.skills {
        let label = normalise_label(&skill.preferred);
        let key = label.to_lowercase();
        let mut alternatives: Vec<&String> = skill.alternatives.iter().collect();
        shuffle(&mut alternatives, &mut rng);
        for alternative in alternatives
            .into_iter()
            .take(options.max_alternatives_per_skill)
        {
            push(alternative, &label, &key, PairSource::EscoAlternative);
        }
        if let Some(definition) = &skill.definition {
            push(definition, &label, &key, PairSource::EscoDefinition);
        }
    }
    let labelled: Vec<&LabelledSentence> = sources
        .sentences
        .iter()
        .filter(|s| !s.labels.is_empty())
        .collect();
    for sentence in &labelled {
        for label in distinct_labels(&sentence.labels) {
            push(
                &sentence.sentence,
                &label,
                &label.to_lowercase(),
                PairSource::SkillSkape,
            );
        }
    }
    // Concatenation augmentation: a sentence holding two sentences' skills teaches the encoder
    // that one text can sit near several labels (job ads list skills together).
    let joined = if labelled.len() >= 2 {
        (labelled.len() as f64 * options.concatenated_share).round() as usize
    } else {
        0
    };
    for _ in 0..joined {
        let (a, b) = (
            labelled[rng.below(labelled.len())],
            labelled[rng.below(labelled.len())],
        );
        if a.sentence == b.sentence {
            continue;
        }
        let anchor = format!("{} {}", a.sentence.trim(), b.sentence.trim());
        for label in distinct_labels(a.labels.iter().chain(&b.labels)) {
            push(
                &anchor,
                &label,
                &label.to_lowercase(),
                PairSource::Concatenated,
            );
        }
    }
    title_pairs(sources.titles, options, &mut rng, &mut push);

    let mut set = PairSet {
        options: Some(options.clone()),
        ..PairSet::default()
    };
    set.decontam_files = decontam.map(|d| d.files().to_vec()).unwrap_or_default();
    set.decontam_ngram = decontam.map_or(0, Decontaminator::ngram);
    let mut verdicts: HashMap<String, bool> = HashMap::new();
    for pair in candidates {
        let dirty = *verdicts
            .entry(pair.anchor.clone())
            .or_insert_with(|| decontam.is_some_and(|d| d.contaminated_by(&pair.anchor).is_some()));
        if dirty {
            *set.contaminated.entry(pair.source).or_default() += 1;
        } else {
            *set.kept.entry(pair.source).or_default() += 1;
            set.pairs.push(pair);
        }
    }
    set
}

/// Normalised labels, each once, in first-seen order.
fn distinct_labels<'a>(labels: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for label in labels
        .into_iter()
        .map(|l| normalise_label(l))
        .filter(|l| !l.is_empty())
    {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&label)) {
            out.push(label);
        }
    }
    out
}

/// Each title paired with another distinct title of its occupation, up to the cap.
fn title_pairs(
    titles: &[(String, String)],
    options: &PairOptions,
    rng: &mut Rng,
    push: &mut impl FnMut(&str, &str, &str, PairSource),
) {
    let mut by_occupation: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (title, uri) in titles {
        let list = by_occupation.entry(uri.as_str()).or_default();
        if !list.iter().any(|t| t.eq_ignore_ascii_case(title.trim())) {
            list.push(title.trim());
        }
    }
    for (uri, mut list) in by_occupation {
        if list.len() < 2 {
            continue;
        }
        shuffle(&mut list, rng);
        for (i, title) in list
            .iter()
            .take(options.max_titles_per_occupation)
            .enumerate()
        {
            let other = list[(i + 1 + rng.below(list.len() - 1)) % list.len()];
            push(title, other, uri, PairSource::Title);
        }
    }
}

fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i + 1));
    }
}

/// Writes `dir/pairs.jsonl` and `dir/card.md`, each atomically.
pub fn write_pairs(
    dir: &Path,
    set: &PairSet,
    provenance: &[(String, String)],
) -> Result<(), CurateError> {
    std::fs::create_dir_all(dir).map_err(|e| CurateError::io(dir, e))?;
    let mut jsonl = String::new();
    for pair in &set.pairs {
        let line = serde_json::to_string(pair)
            .map_err(|e| CurateError::record(dir.join("pairs.jsonl"), 0, "pair", e.to_string()))?;
        jsonl.push_str(&line);
        jsonl.push('\n');
    }
    let path = dir.join("pairs.jsonl");
    hirelm_core::fs::write_atomic(&path, jsonl.as_bytes())
        .map_err(|e| CurateError::io(&path, e))?;
    let card = dir.join("card.md");
    hirelm_core::fs::write_atomic(&card, render_card(set, provenance).as_bytes())
        .map_err(|e| CurateError::io(&card, e))
}

/// The dataset card: sources with provenance, pairs kept and dropped per source, options.
pub fn render_card(set: &PairSet, provenance: &[(String, String)]) -> String {
    let mut out = String::from(
        "# Encoder training pairs\n\n(anchor, positive) pairs for contrastive training of the sentence encoder, built by `hirelm encoder pairs`.\n\n## Sources\n\n",
    );
    for (what, origin) in provenance {
        let _ = writeln!(out, "- {what}: {origin}");
    }
    out.push_str("\n## Pairs\n\n| source | kept | dropped (overlap with evaluation sentences) |\n|---|---:|---:|\n");
    for source in PairSource::ALL {
        let kept = set.kept.get(&source).copied().unwrap_or(0);
        let dropped = set.contaminated.get(&source).copied().unwrap_or(0);
        let _ = writeln!(out, "| {source} | {kept} | {dropped} |");
    }
    let _ = writeln!(
        out,
        "| total | {} | {} |",
        set.pairs.len(),
        set.contaminated.values().sum::<usize>()
    );
    let _ = write!(
        out,
        "\n## Decontamination\n\nAn anchor is dropped when it equals, shares a {}-word n-gram with, or is a MinHash near-duplicate (estimated Jaccard >= 0.8) of a sentence of:\n\n",
        set.decontam_ngram
    );
    for file in &set.decontam_files {
        let _ = writeln!(out, "- `{}`", file.display());
    }
    if set.decontam_files.is_empty() {
        out.push_str("- (no file: not decontaminated)\n");
    }
    if let Some(o) = &set.options {
        let _ = writeln!(
            out,
            "\n## Options\n\nseed {}, at most {} alternative labels per skill, concatenated sentences {:.0}% of the labelled ones, at most {} title pairs per occupation.",
            o.seed,
            o.max_alternatives_per_skill,
            o.concatenated_share * 100.0,
            o.max_titles_per_occupation
        );
    }
    out
}

#[cfg(test)]
mod tests;
