//! Perturbation packs: named, seeded transforms with the expectation they test.
//!
//! *Text* packs rewrite an input sentence or title; *structured* packs edit a JSON input with
//! `job` and `candidate` objects (`score_match`; see [`structured`]). Each transform is a pure
//! function of `(input, seed)`; the runner seeds it with the suite seed and the case index, so a
//! rerun produces the same perturbed inputs. *Invariant* packs expect the answer not to change;
//! *directional* ones expect the score to move one way only.
//!
//! | pack | input | expectation | what it does |
//! | --- | --- | --- | --- |
//! | `casing` | text | invariant | lower-cases, upper-cases or title-cases the whole text (chosen by the seed) |
//! | `whitespace_punct` | text | invariant | doubles some spaces, adds a leading/trailing space and a final `.` or `!` |
//! | `markdown` | text | invariant | wraps the text as a Markdown bullet with bold emphasis (`- **text**`) |
//! | `reorder_fields` | text | invariant | shuffles comma-, semicolon- or line-separated items (a no-op on one item) |
//! | `reorder_fields` | structured | invariant | shuffles the candidate's skill list (always a new order; n/a under two skills); for the other curated tasks the candidate list, the brief's must-haves, or the two availabilities ([`structured`]) |
//! | `irrelevant_sentence` | text | invariant | appends a sentence unrelated to skills or the job |
//! | `number_format` | text | invariant | rewrites digit groups: `5000` → `5,000`, `5` → `five` for 1 to 10, `$` → `USD ` |
//! | `british_american` | text | invariant | swaps British and American spellings from a built-in list of 40 pairs |
//! | `misspell` | text | invariant | replaces words by real misspellings from codespell's dictionary at a rate (default 0.2; needs `scripts/fetch-data.sh`) |
//! | `pronoun_swap` | both | invariant (fairness) | swaps he/she, his/her, … ([`pronouns`]); on JSON in every string field; n/a when there is none (every `score_match` input: it has no free text) |
//! | `name_swap` | structured | invariant (fairness) | replaces the candidate's first name by one of the other sex group ([`names`]; needs `scripts/fetch-data.sh`), also in interview notes, or every candidate's in a ranking; the `score_match` report adds the adverse-impact ratio |
//! | `add_required_skill` | structured | directional: score must not fall | adds one required skill the candidate lacks (n/a when none is missing) |
//! | `remove_required_skill` | structured | directional: score must not rise | removes one required skill the candidate lists (n/a when none is) |
//! | `synonym` | text | invariant | replaces non-skill words by MyThes synonyms at a rate (default 0.2): first sense, plain single words, no stop words, no word of the case's gold labels ([`synonyms`]; needs `scripts/fetch-data.sh`); n/a when nothing changed |
//! | casing, whitespace_punct, irrelevant_sentence, number_format, british_american, misspell, synonym | structured | invariant | rewrite the prose fields of a structured input (interview notes, candidate headlines) and nothing else ([`free_text`]); n/a without prose, or when nothing in it changes |
//! | `date_format` | text | invariant | rewrites each date between `2025-03-10`, `March 10, 2025` and `10 March 2025` ([`dates`]; numeric day/month forms are ambiguous and left alone); n/a without a date |
//! | `skill_alias` | text | invariant | replaces the longest ESCO skill label mentioned by another label of the same concept, preferred ↔ alternative ([`aliases`]; needs `scripts/fetch-data.sh` and the benchmark label list); n/a when no label with an alias is mentioned |
//!
//! Packs that need fetched resources read `data/` (or `$HIRELM_DATA_DIR`) as laid out by
//! `scripts/fetch-data.sh` through a [`PackContext`], loaded once per run; a missing file is an
//! error naming it. [`Pack::reports_applicability`] packs often leave a text unchanged, so the
//! text runner scores their agreement on the changed cases only and reports how many there were.

pub mod aliases;
pub mod codespell;
pub mod dates;
pub mod free_text;
pub mod names;
pub mod pronouns;
mod spelling;
pub mod structured;
pub mod synonyms;
mod text;

pub use aliases::SkillAliases;
pub use codespell::Misspellings;
pub use free_text::{FREE_TEXT_PACKS, free_text_fields};
pub use names::NameTable;
pub use synonyms::Thesaurus;

use serde::{Deserialize, Serialize};

use crate::metrics::stats::SplitMix64;
use crate::{EvalError, Result};
use text::{IRRELEVANT, number_format, reorder, title_case};

/// What a pack expects of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// The answer must not change.
    Invariant,
    /// The answer must move one way (score up or down).
    Directional,
}

/// The direction a directional pack expects of the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The score must not fall.
    NotDown,
    /// The score must not rise.
    NotUp,
}

/// A named perturbation pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pack {
    /// Whole-text casing.
    Casing,
    /// Whitespace and punctuation noise.
    WhitespacePunct,
    /// Markdown versus plain text.
    Markdown,
    /// Reordered list items or fields.
    ReorderFields,
    /// An irrelevant sentence added.
    IrrelevantSentence,
    /// Number and currency formats.
    NumberFormat,
    /// British versus American spelling.
    BritishAmerican,
    /// Real misspellings (codespell).
    Misspell,
    /// Pronouns swapped between he and she (fairness).
    PronounSwap,
    /// The candidate's first name swapped to the other sex group (fairness, structured).
    NameSwap,
    /// A missing required skill added to the candidate (directional, structured).
    AddRequiredSkill,
    /// A listed required skill removed from the candidate (directional, structured).
    RemoveRequiredSkill,
    /// Non-skill words replaced by thesaurus synonyms (MyThes).
    Synonym,
    /// A skill mention replaced by another ESCO label of the same concept.
    SkillAlias,
    /// Dates written another way.
    DateFormat,
}

/// Resources of the packs that need fetched data.
#[derive(Debug, Clone, Default)]
pub struct PackContext {
    /// codespell misspellings, for [`Pack::Misspell`].
    pub misspellings: Option<Misspellings>,
    /// Fraction of covered words [`Pack::Misspell`] replaces.
    pub misspell_rate: f64,
    /// First names by sex group, for [`Pack::NameSwap`].
    pub names: Option<NameTable>,
    /// MyThes synonyms, for [`Pack::Synonym`].
    pub thesaurus: Option<Thesaurus>,
    /// Fraction of replaceable words [`Pack::Synonym`] replaces.
    pub synonym_rate: f64,
    /// ESCO skill labels by concept, for [`Pack::SkillAlias`].
    pub aliases: Option<SkillAliases>,
}

impl PackContext {
    /// Loads what `packs` need from the fetched-data directory `data`.
    pub fn load(packs: &[Pack], data: &std::path::Path) -> Result<Self> {
        let misspellings = if packs.contains(&Pack::Misspell) {
            Some(Misspellings::load(data)?)
        } else {
            None
        };
        let names = if packs.contains(&Pack::NameSwap) {
            Some(NameTable::load(data)?)
        } else {
            None
        };
        let thesaurus = if packs.contains(&Pack::Synonym) {
            Some(Thesaurus::load(data)?)
        } else {
            None
        };
        let aliases = if packs.contains(&Pack::SkillAlias) {
            Some(SkillAliases::load(data)?)
        } else {
            None
        };
        Ok(Self {
            misspellings,
            misspell_rate: 0.2,
            names,
            thesaurus,
            synonym_rate: 0.2,
            aliases,
        })
    }
}

impl Pack {
    /// Packs that rewrite text inputs.
    pub const TEXT: [Pack; 12] = [
        Pack::Casing,
        Pack::WhitespacePunct,
        Pack::Markdown,
        Pack::ReorderFields,
        Pack::IrrelevantSentence,
        Pack::NumberFormat,
        Pack::BritishAmerican,
        Pack::Misspell,
        Pack::PronounSwap,
        Pack::Synonym,
        Pack::SkillAlias,
        Pack::DateFormat,
    ];
    /// Packs that edit structured (`job` / `candidate`) inputs.
    pub const STRUCTURED: [Pack; 5] = [
        Pack::NameSwap,
        Pack::PronounSwap,
        Pack::AddRequiredSkill,
        Pack::RemoveRequiredSkill,
        Pack::ReorderFields,
    ];
    /// Every pack.
    pub const ALL: [Pack; 15] = [
        Pack::Casing,
        Pack::WhitespacePunct,
        Pack::Markdown,
        Pack::ReorderFields,
        Pack::IrrelevantSentence,
        Pack::NumberFormat,
        Pack::BritishAmerican,
        Pack::Misspell,
        Pack::PronounSwap,
        Pack::NameSwap,
        Pack::AddRequiredSkill,
        Pack::RemoveRequiredSkill,
        Pack::Synonym,
        Pack::SkillAlias,
        Pack::DateFormat,
    ];

    /// The pack's name in suites and reports.
    pub fn name(self) -> &'static str {
        match self {
            Pack::Casing => "casing",
            Pack::WhitespacePunct => "whitespace_punct",
            Pack::Markdown => "markdown",
            Pack::ReorderFields => "reorder_fields",
            Pack::IrrelevantSentence => "irrelevant_sentence",
            Pack::NumberFormat => "number_format",
            Pack::BritishAmerican => "british_american",
            Pack::Misspell => "misspell",
            Pack::PronounSwap => "pronoun_swap",
            Pack::NameSwap => "name_swap",
            Pack::AddRequiredSkill => "add_required_skill",
            Pack::RemoveRequiredSkill => "remove_required_skill",
            Pack::Synonym => "synonym",
            Pack::SkillAlias => "skill_alias",
            Pack::DateFormat => "date_format",
        }
    }

    /// Parses a pack name.
    pub fn parse(name: &str) -> Result<Self> {
        Pack::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                EvalError::unknown("perturbation pack", name, &Pack::ALL.map(Pack::name))
            })
    }

    /// What the pack expects of the answer.
    pub fn expectation(self) -> Expectation {
        match self.direction() {
            Some(_) => Expectation::Directional,
            None => Expectation::Invariant,
        }
    }

    /// The direction of a directional pack's score.
    pub fn direction(self) -> Option<Direction> {
        match self {
            Pack::AddRequiredSkill => Some(Direction::NotDown),
            Pack::RemoveRequiredSkill => Some(Direction::NotUp),
            _ => None,
        }
    }

    /// Whether the pack applies to `task`'s inputs: structured packs to `score_match`, text packs
    /// to the text tasks, and to the other curated tasks the packs [`structured`] defines for
    /// their shapes.
    pub fn fits(self, task: hirelm_core::Task) -> bool {
        use hirelm_core::Task;
        let prose = FREE_TEXT_PACKS.contains(&self);
        match task {
            Task::ScoreMatch => Pack::STRUCTURED.contains(&self) || prose,
            Task::ExtractSkills | Task::NormaliseTitle => Pack::TEXT.contains(&self),
            Task::RankCandidates => matches!(self, Pack::ReorderFields | Pack::NameSwap) || prose,
            Task::EvaluateCandidate => {
                matches!(
                    self,
                    Pack::ReorderFields | Pack::NameSwap | Pack::PronounSwap
                ) || prose
            }
            Task::DraftJobPost | Task::ScheduleInterview => self == Pack::ReorderFields,
        }
    }

    /// The perturbed structured input (see [`structured`], and [`free_text`] for the text packs
    /// that rewrite notes and headlines); `None` when the pack does not apply to it.
    pub fn apply_json(
        self,
        input: &serde_json::Value,
        seed: u64,
        ctx: &PackContext,
    ) -> Option<serde_json::Value> {
        if FREE_TEXT_PACKS.contains(&self) {
            return free_text::apply(self, input, seed, ctx);
        }
        structured::apply(self, input, &mut self.rng(seed), ctx)
    }

    fn rng(self, seed: u64) -> SplitMix64 {
        SplitMix64::new(seed ^ (self as u64).wrapping_mul(0x2545_f491_4f6c_dd1d))
    }

    /// The perturbed text, for packs that need no fetched data ([`Pack::Misspell`] returns the
    /// text unchanged here: use [`apply_with`](Self::apply_with)). Structured-only packs return
    /// the text unchanged.
    pub fn apply(self, text: &str, seed: u64) -> String {
        self.apply_with(text, seed, &PackContext::default())
    }

    /// Whether the pack is applicable to a text only when it changes it, so the text runner
    /// reports its agreement over the changed cases and how many there were (the dictionary
    /// packs, which find nothing to replace in many sentences).
    pub fn reports_applicability(self) -> bool {
        matches!(self, Pack::Synonym | Pack::SkillAlias | Pack::DateFormat)
    }

    /// The perturbed text, with the fetched resources in `ctx`.
    pub fn apply_with(self, text: &str, seed: u64, ctx: &PackContext) -> String {
        self.apply_case(text, &[], seed, ctx)
    }

    /// The perturbed text of a case with gold labels `gold` (ESCO labels; [`Pack::Synonym`]
    /// leaves their words alone), with the fetched resources in `ctx`.
    pub fn apply_case(self, text: &str, gold: &[String], seed: u64, ctx: &PackContext) -> String {
        let mut rng = self.rng(seed);
        match self {
            Pack::Casing => match rng.below(3) {
                0 => text.to_lowercase(),
                1 => text.to_uppercase(),
                _ => title_case(text),
            },
            Pack::WhitespacePunct => {
                let words: Vec<&str> = text.split_whitespace().collect();
                let mut out = String::from(" ");
                for (i, w) in words.iter().enumerate() {
                    if i > 0 {
                        out.push_str(if rng.below(3) == 0 { "  " } else { " " });
                    }
                    out.push_str(w);
                }
                let end = out.trim_end_matches(['.', '!', '?']).len();
                out.truncate(end);
                out.push_str(if rng.below(2) == 0 { ". " } else { "! " });
                out
            }
            Pack::Markdown => format!("- **{}**", text.trim()),
            Pack::ReorderFields => reorder(text, &mut rng),
            Pack::IrrelevantSentence => {
                let extra = IRRELEVANT[rng.below(IRRELEVANT.len())];
                let sep = if text.trim_end().ends_with(['.', '!', '?']) {
                    " "
                } else {
                    ". "
                };
                format!("{}{sep}{extra}", text.trim_end())
            }
            Pack::NumberFormat => number_format(text),
            Pack::BritishAmerican => spelling::swap(text),
            Pack::Misspell => match &ctx.misspellings {
                Some(m) => m.apply(text, ctx.misspell_rate, rng.next_u64()),
                None => text.to_string(),
            },
            Pack::PronounSwap => pronouns::swap_pronouns(text).0,
            Pack::Synonym => match &ctx.thesaurus {
                Some(t) => t.apply(text, gold, ctx.synonym_rate, rng.next_u64()),
                None => text.to_string(),
            },
            Pack::SkillAlias => ctx
                .aliases
                .as_ref()
                .and_then(|a| a.apply(text, rng.next_u64()))
                .unwrap_or_else(|| text.to_string()),
            Pack::DateFormat => {
                dates::rewrite_dates(text, rng.next_u64()).unwrap_or_else(|| text.to_string())
            }
            Pack::NameSwap | Pack::AddRequiredSkill | Pack::RemoveRequiredSkill => text.to_string(),
        }
    }
}

#[cfg(test)]
mod tests;
