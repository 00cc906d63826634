//! `span-lexicon`: the classical span baseline for SkillSpan. It remembers every skill and
//! knowledge span of the *training* split (lower-cased token sequences) and tags new sentences
//! by greedy longest match.
//!
//! A phrase enters the lexicon only if, in the training split, it was annotated as a span of its
//! type at least [`SpanLexicon::MIN_PRECISION`] of the times it occurs: "communication" tagged
//! once but written fifty times untagged would otherwise flood the predictions. Only the training
//! split is read, so the dev figures it gets are held out.

use std::collections::HashMap;

use crate::corpus::skillspan::SpanRecord;
use crate::metrics::span::bio_spans;

/// Tags one tokenised sentence: `(skill tags, knowledge tags)`, BIO, one per token.
pub trait SpanTagger {
    /// Name in reports.
    fn name(&self) -> &str;
    /// The tags of `tokens`.
    fn tag(&self, tokens: &[String]) -> (Vec<String>, Vec<String>);
}

/// Which tag layer a phrase belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    /// `tags_skill`.
    Skill,
    /// `tags_knowledge`.
    Knowledge,
}

/// The lexicon of training spans.
#[derive(Debug, Clone, Default)]
pub struct SpanLexicon {
    phrases: HashMap<Vec<String>, SpanKind>,
    longest: usize,
}

fn lower(tokens: &[String]) -> Vec<String> {
    tokens.iter().map(|t| t.to_lowercase()).collect()
}

impl SpanLexicon {
    /// Share of a phrase's occurrences that must be annotated spans for it to be kept.
    pub const MIN_PRECISION: f64 = 0.5;
    /// Longest phrase kept, in tokens (longer training spans are rare and never recur).
    pub const MAX_TOKENS: usize = 8;

    /// Learns the lexicon from annotated training sentences.
    pub fn fit(train: &[SpanRecord]) -> Self {
        let lowered: Vec<Vec<String>> = train.iter().map(|s| lower(&s.tokens)).collect();
        // Annotated counts per phrase and kind.
        let mut annotated: HashMap<Vec<String>, [usize; 2]> = HashMap::new();
        for (s, tokens) in train.iter().zip(&lowered) {
            for (layer, tags) in [(0, &s.tags_skill), (1, &s.tags_knowledge)] {
                for (start, end, _) in bio_spans(tags) {
                    if end - start <= Self::MAX_TOKENS {
                        annotated.entry(tokens[start..end].to_vec()).or_default()[layer] += 1;
                    }
                }
            }
        }
        // Every occurrence of those phrases, annotated or not.
        let mut seen: HashMap<&[String], usize> = HashMap::new();
        for tokens in &lowered {
            for start in 0..tokens.len() {
                for end in start + 1..=(start + Self::MAX_TOKENS).min(tokens.len()) {
                    if let Some(key) = annotated
                        .get_key_value(&tokens[start..end])
                        .map(|(k, _)| k.as_slice())
                    {
                        *seen.entry(key).or_default() += 1;
                    }
                }
            }
        }
        let mut lexicon = Self::default();
        for (phrase, [skill, knowledge]) in &annotated {
            let occurrences = seen
                .get(phrase.as_slice())
                .copied()
                .unwrap_or(0)
                .max(skill + knowledge);
            let (kind, count) = if skill >= knowledge {
                (SpanKind::Skill, *skill)
            } else {
                (SpanKind::Knowledge, *knowledge)
            };
            if count as f64 >= Self::MIN_PRECISION * occurrences as f64 {
                lexicon.longest = lexicon.longest.max(phrase.len());
                lexicon.phrases.insert(phrase.clone(), kind);
            }
        }
        lexicon
    }

    /// Number of phrases kept.
    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    /// Whether no phrase was kept.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }
}

impl SpanTagger for SpanLexicon {
    fn name(&self) -> &str {
        "span-lexicon"
    }

    fn tag(&self, tokens: &[String]) -> (Vec<String>, Vec<String>) {
        let tokens = lower(tokens);
        let mut skill = vec!["O".to_string(); tokens.len()];
        let mut knowledge = skill.clone();
        let mut at = 0;
        while at < tokens.len() {
            let found = (1..=self.longest.min(tokens.len() - at))
                .rev()
                .find_map(|n| self.phrases.get(&tokens[at..at + n]).map(|kind| (n, *kind)));
            let Some((n, kind)) = found else {
                at += 1;
                continue;
            };
            let layer = if kind == SpanKind::Skill {
                &mut skill
            } else {
                &mut knowledge
            };
            layer[at] = "B".into();
            for tag in &mut layer[at + 1..at + n] {
                *tag = "I".into();
            }
            at += n;
        }
        (skill, knowledge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(text: &str, skill: &str, knowledge: &str) -> SpanRecord {
        let tags = |t: &str| t.split(' ').map(str::to_string).collect::<Vec<_>>();
        SpanRecord {
            posting: 0,
            tokens: text.split(' ').map(str::to_string).collect(),
            tags_skill: tags(skill),
            tags_knowledge: tags(knowledge),
            source: "tech".into(),
        }
    }

    #[test]
    fn learns_spans_drops_noisy_phrases_and_tags_longest_first() {
        let train = [
            sentence("Know Python and team work", "O O O B I", "O B O O O"),
            sentence("python scripting wanted", "O O O", "B I O"),
            // "work" is annotated nowhere on its own; "team" once as a span and twice plain.
            sentence("our team is great", "O O O O", "O O O O"),
            sentence("the team grows", "O O O", "O O O"),
            sentence("team", "B", "O"),
        ];
        let lexicon = SpanLexicon::fit(&train);
        assert_eq!(
            lexicon.len(),
            3,
            "python, python scripting, team work; `team` is tagged 1 of 4 times"
        );
        let (skill, knowledge) = lexicon.tag(
            &"We want PYTHON scripting and team work and team"
                .split(' ')
                .map(str::to_string)
                .collect::<Vec<_>>(),
        );
        assert_eq!(knowledge, ["O", "O", "B", "I", "O", "O", "O", "O", "O"]);
        assert_eq!(skill, ["O", "O", "O", "O", "O", "B", "I", "O", "O"]);
        assert!(SpanLexicon::fit(&[]).is_empty());
    }
}
