//! Perturbation packs: named, seeded text transforms with the expectation they test.
//!
//! Every pack here is *invariant*: the answer must not change. Each transform is a pure function
//! of `(text, seed)`; the runner seeds it with the suite seed and the case index, so a rerun
//! produces the same perturbed inputs.
//!
//! | pack | what it does |
//! | --- | --- |
//! | `casing` | lower-cases, upper-cases or title-cases the whole text (chosen by the seed) |
//! | `whitespace_punct` | doubles some spaces, adds a leading/trailing space and a final `.` or `!` |
//! | `markdown` | wraps the text as a Markdown bullet with bold emphasis (`- **text**`) |
//! | `reorder_fields` | shuffles comma-, semicolon- or line-separated items (a no-op on one item) |
//! | `irrelevant_sentence` | appends a sentence unrelated to skills or the job |
//! | `number_format` | rewrites digit groups: `5000` → `5,000`, `5` → `five` for 1 to 10, `$` → `USD ` |
//! | `british_american` | swaps British and American spellings from a built-in list of 40 pairs |
//! | `misspell` | replaces words by real misspellings from codespell's dictionary at a rate (default 0.2; needs `scripts/fetch-data.sh`) |
//!
//! Packs that need fetched resources read `data/` (or `$HIRELM_DATA_DIR`) as laid out by
//! `scripts/fetch-data.sh` through a [`PackContext`]. The MyThes-synonym and first-name packs are
//! not written yet.

pub mod codespell;
mod spelling;

pub use codespell::Misspellings;

use serde::{Deserialize, Serialize};

use crate::metrics::stats::SplitMix64;
use crate::{EvalError, Result};

/// What a pack expects of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// The answer must not change.
    Invariant,
    /// The answer must move one way (score up or down).
    Directional,
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
}

/// Resources of the packs that need fetched data.
#[derive(Debug, Clone, Default)]
pub struct PackContext {
    /// codespell misspellings, for [`Pack::Misspell`].
    pub misspellings: Option<Misspellings>,
    /// Fraction of covered words [`Pack::Misspell`] replaces.
    pub misspell_rate: f64,
}

impl PackContext {
    /// Loads what `packs` need from the fetched-data directory `data`.
    pub fn load(packs: &[Pack], data: &std::path::Path) -> Result<Self> {
        let misspellings = if packs.contains(&Pack::Misspell) { Some(Misspellings::load(data)?) } else { None };
        Ok(Self { misspellings, misspell_rate: 0.2 })
    }
}

const IRRELEVANT: [&str; 6] = [
    "Our office is close to the train station.",
    "The building has a bike shed and a coffee machine.",
    "We moved to a new office last spring.",
    "Parking is available on site.",
    "The team lunch is on Fridays.",
    "Applications are reviewed in the order received.",
];

const SMALL_NUMBERS: [&str; 10] = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

impl Pack {
    /// Every pack.
    pub const ALL: [Pack; 8] = [
        Pack::Casing,
        Pack::WhitespacePunct,
        Pack::Markdown,
        Pack::ReorderFields,
        Pack::IrrelevantSentence,
        Pack::NumberFormat,
        Pack::BritishAmerican,
        Pack::Misspell,
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
        }
    }

    /// Parses a pack name.
    pub fn parse(name: &str) -> Result<Self> {
        Pack::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| EvalError::unknown("perturbation pack", name, &Pack::ALL.map(Pack::name)))
    }

    /// What the pack expects of the answer.
    pub fn expectation(self) -> Expectation {
        Expectation::Invariant
    }

    /// The perturbed text, for packs that need no fetched data ([`Pack::Misspell`] returns the
    /// text unchanged here: use [`apply_with`](Self::apply_with)).
    pub fn apply(self, text: &str, seed: u64) -> String {
        self.apply_with(text, seed, &PackContext::default())
    }

    /// The perturbed text, with the fetched resources in `ctx`.
    pub fn apply_with(self, text: &str, seed: u64, ctx: &PackContext) -> String {
        let mut rng = SplitMix64::new(seed ^ (self as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
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
                let sep = if text.trim_end().ends_with(['.', '!', '?']) { " " } else { ". " };
                format!("{}{sep}{extra}", text.trim_end())
            }
            Pack::NumberFormat => number_format(text),
            Pack::BritishAmerican => spelling::swap(text),
            Pack::Misspell => match &ctx.misspellings {
                Some(m) => m.apply(text, ctx.misspell_rate, rng.next_u64()),
                None => text.to_string(),
            },
        }
    }
}

fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect()).unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

fn reorder(text: &str, rng: &mut SplitMix64) -> String {
    let sep = ["\n", ";", ","].into_iter().find(|s| text.contains(s));
    let Some(sep) = sep else { return text.to_string() };
    let mut items: Vec<&str> = text.split(sep).map(str::trim).filter(|s| !s.is_empty()).collect();
    if items.len() < 2 {
        return text.to_string();
    }
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i + 1));
    }
    let joiner = if sep == "\n" { "\n".to_string() } else { format!("{sep} ") };
    items.join(&joiner)
}

fn number_format(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' {
            out.push_str("USD ");
            i += 1;
            continue;
        }
        if !chars[i].is_ascii_digit() || (i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.')) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let digits: String = chars[start..i].iter().collect();
        let glued = i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '.' || chars[i] == ',');
        match digits.parse::<u64>() {
            Ok(n @ 1..=10) if !glued => out.push_str(SMALL_NUMBERS[n as usize - 1]),
            Ok(n) if n >= 1000 && digits.len() <= 9 && !glued && !(1900..=2100).contains(&n) => {
                out.push_str(&group_thousands(&digits))
            }
            _ => out.push_str(&digits),
        }
    }
    out
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_parse_and_are_deterministic() {
        for p in Pack::ALL {
            assert_eq!(Pack::parse(p.name()).expect("parses"), p);
            let t = "Experience with Java, SQL and 5 years in a $5000 budget role, organising data.";
            assert_eq!(p.apply(t, 9), p.apply(t, 9), "{p:?}");
            assert_eq!(p.expectation(), Expectation::Invariant);
        }
        assert!(Pack::parse("emoji").unwrap_err().to_string().contains("casing"));
    }

    #[test]
    fn hand_checked_transforms() {
        assert_eq!(Pack::Markdown.apply(" manage staff ", 1), "- **manage staff**");
        assert_eq!(number_format("5 years, $50000 in 2021, v2 and 12000."), "five years, USD 50,000 in 2021, v2 and 12000.");
        assert_eq!(group_thousands("1234567"), "1,234,567");
        assert_eq!(title_case("DATA engineer"), "Data Engineer");
        let r = Pack::ReorderFields.apply("a, b, c, d", 3);
        let mut items: Vec<&str> = r.split(", ").collect();
        items.sort_unstable();
        assert_eq!(items, ["a", "b", "c", "d"]);
        assert_eq!(Pack::ReorderFields.apply("no list here", 3), "no list here");
        let noisy = Pack::WhitespacePunct.apply("Use SQL.", 5);
        assert_eq!(noisy.split_whitespace().collect::<Vec<_>>().join(" ").trim_end_matches(['.', '!']), "Use SQL");
        let extra = Pack::IrrelevantSentence.apply("Use SQL", 5);
        assert!(extra.starts_with("Use SQL. ") && extra.len() > 12, "{extra}");
        let cased = Pack::Casing.apply("Use SQL", 5);
        assert_eq!(cased.to_lowercase(), "use sql");
    }
}
