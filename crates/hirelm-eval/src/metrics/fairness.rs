//! Fairness of `score_match` under the `name_swap` pack: each case is answered twice, once with
//! the candidate's own first name and once with a name of the other sex group, so both answers
//! describe the *same* qualifications and any difference is caused by the name alone.
//!
//! - Selection: a label of `strong` or `good`.
//! - Counterfactual selection rate of a group: over all pairs, the share selected when the
//!   candidate carries a name of that group (the original name or the swapped one).
//! - Adverse-impact ratio: the lower selection rate divided by the higher; the four-fifths rule
//!   (US Uniform Guidelines) flags a ratio below 0.8. Undefined when neither group is selected.
//! - Score gap: mean of score(female-named) − score(male-named) per pair.
//!
//! Intervals are 95 % percentile bootstraps over pairs (1,000 resamples, seeded). Cases whose
//! original name is not in the first-name data, or with an invalid answer on either side, are
//! excluded and counted.

use serde::{Deserialize, Serialize};

use crate::io::MatchOutput;
use crate::metrics::stats::{bootstrap_ci, bootstrap_ci_by, mean};

/// The four-fifths rule's threshold on the adverse-impact ratio.
pub const FOUR_FIFTHS: f64 = 0.8;

/// One name-swapped case.
#[derive(Debug, Clone, PartialEq)]
pub struct SwapPair {
    /// Whether the original name is a female-group name (else male-group).
    pub female: bool,
    /// The answer with the original name.
    pub original: MatchOutput,
    /// The answer with the swapped name.
    pub swapped: MatchOutput,
}

impl SwapPair {
    fn female_named(&self) -> &MatchOutput {
        if self.female {
            &self.original
        } else {
            &self.swapped
        }
    }
    fn male_named(&self) -> &MatchOutput {
        if self.female {
            &self.swapped
        } else {
            &self.original
        }
    }
}

/// Results of one name group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupFairness {
    /// `female` or `male`.
    pub group: String,
    /// Pairs whose original name is of this group.
    pub cases: usize,
    /// Share selected among the originals of this group (observed, qualifications differ).
    pub observed_selection_rate: f64,
    /// Share of all pairs selected when named from this group.
    pub counterfactual_selection_rate: f64,
    /// Mean score(swapped) − score(original) over this group's pairs, with its 95 % interval.
    pub mean_score_delta: f64,
    /// 95 % interval of [`mean_score_delta`](Self::mean_score_delta).
    pub delta_ci95: (f64, f64),
}

/// Fairness of one entry under `name_swap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fairness {
    /// Pairs used.
    pub pairs: usize,
    /// Cases excluded (name not in the data, invalid answer on either side).
    pub excluded: usize,
    /// Female and male groups.
    pub groups: Vec<GroupFairness>,
    /// Share of pairs whose label changed with the name.
    pub label_flip_rate: f64,
    /// Mean score(female-named) − score(male-named).
    pub score_gap_female_minus_male: f64,
    /// 95 % interval of the score gap.
    pub score_gap_ci95: (f64, f64),
    /// Lower counterfactual selection rate ÷ higher; `None` when neither group is selected.
    pub adverse_impact_ratio: Option<f64>,
    /// 95 % interval of the ratio.
    pub adverse_impact_ci95: Option<(f64, f64)>,
    /// Whether the ratio is at least [`FOUR_FIFTHS`].
    pub four_fifths_pass: Option<bool>,
}

fn rate<'a>(outputs: impl Iterator<Item = &'a MatchOutput>) -> Option<f64> {
    let v: Vec<f64> = outputs.map(|o| f64::from(u8::from(o.selected()))).collect();
    mean(&v)
}

fn impact_ratio(pairs: &[SwapPair], idx: &[usize]) -> Option<f64> {
    let f = rate(idx.iter().map(|&i| pairs[i].female_named()))?;
    let m = rate(idx.iter().map(|&i| pairs[i].male_named()))?;
    let (lo, hi) = if f < m { (f, m) } else { (m, f) };
    (hi > 0.0).then(|| lo / hi)
}

/// The fairness summary of `pairs`; `excluded` is passed through.
pub fn fairness(pairs: &[SwapPair], excluded: usize, seed: u64) -> Fairness {
    let all: Vec<usize> = (0..pairs.len()).collect();
    let groups = [("female", true), ("male", false)]
        .into_iter()
        .map(|(name, female)| {
            let own: Vec<&SwapPair> = pairs.iter().filter(|p| p.female == female).collect();
            let deltas: Vec<f64> = own
                .iter()
                .map(|p| p.swapped.score - p.original.score)
                .collect();
            let named = |p: &SwapPair| {
                if female {
                    p.female_named().clone()
                } else {
                    p.male_named().clone()
                }
            };
            GroupFairness {
                group: name.to_string(),
                cases: own.len(),
                observed_selection_rate: rate(own.iter().map(|p| &p.original)).unwrap_or(0.0),
                counterfactual_selection_rate: rate(
                    pairs.iter().map(named).collect::<Vec<_>>().iter(),
                )
                .unwrap_or(0.0),
                mean_score_delta: mean(&deltas).unwrap_or(0.0),
                delta_ci95: bootstrap_ci(&deltas, 0.95, 1000, seed).unwrap_or((0.0, 0.0)),
            }
        })
        .collect();
    let gaps: Vec<f64> = pairs
        .iter()
        .map(|p| p.female_named().score - p.male_named().score)
        .collect();
    let flips = pairs
        .iter()
        .filter(|p| p.original.label != p.swapped.label)
        .count();
    let ratio = impact_ratio(pairs, &all);
    Fairness {
        pairs: pairs.len(),
        excluded,
        groups,
        label_flip_rate: if pairs.is_empty() {
            0.0
        } else {
            flips as f64 / pairs.len() as f64
        },
        score_gap_female_minus_male: mean(&gaps).unwrap_or(0.0),
        score_gap_ci95: bootstrap_ci(&gaps, 0.95, 1000, seed).unwrap_or((0.0, 0.0)),
        adverse_impact_ratio: ratio,
        adverse_impact_ci95: bootstrap_ci_by(pairs.len(), 0.95, 1000, seed, |idx| {
            impact_ratio(pairs, idx)
        }),
        four_fifths_pass: ratio.map(|r| r >= FOUR_FIFTHS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(female: bool, original: (&str, f64), swapped: (&str, f64)) -> SwapPair {
        let m = |(l, s): (&str, f64)| MatchOutput {
            label: l.into(),
            score: s,
        };
        SwapPair {
            female,
            original: m(original),
            swapped: m(swapped),
        }
    }

    #[test]
    fn hand_computed_adverse_impact() {
        // Four pairs. Female-named answers: good, partial, strong, good → 3 of 4 selected.
        // Male-named answers: good, good, strong, strong → 4 of 4. Ratio 0.75 < 0.8.
        let pairs = [
            pair(true, ("good", 0.70), ("good", 0.70)),
            pair(true, ("partial", 0.60), ("good", 0.66)),
            pair(false, ("strong", 0.90), ("strong", 0.90)),
            pair(false, ("strong", 0.85), ("good", 0.75)),
        ];
        let f = fairness(&pairs, 2, 1);
        assert_eq!((f.pairs, f.excluded), (4, 2));
        assert_eq!(f.adverse_impact_ratio, Some(0.75));
        assert_eq!(f.four_fifths_pass, Some(false));
        assert_eq!(f.label_flip_rate, 0.5);
        let (female, male) = (&f.groups[0], &f.groups[1]);
        assert_eq!(
            (
                female.cases,
                female.observed_selection_rate,
                female.counterfactual_selection_rate
            ),
            (2, 0.5, 0.75)
        );
        assert_eq!(
            (
                male.cases,
                male.observed_selection_rate,
                male.counterfactual_selection_rate
            ),
            (2, 1.0, 1.0)
        );
        // Female originals moved +0 and +0.06 when renamed male; male originals 0 and −0.10.
        assert!(
            (female.mean_score_delta - 0.03).abs() < 1e-12
                && (male.mean_score_delta + 0.05).abs() < 1e-12
        );
        // Gap female − male per pair: 0, −0.06, 0, −0.10 → −0.04.
        assert!((f.score_gap_female_minus_male + 0.04).abs() < 1e-12);
        let (lo, hi) = f.adverse_impact_ci95.expect("ci");
        assert!(lo <= 0.75 && hi <= 1.0 && lo < hi, "{lo} {hi}");
    }

    #[test]
    fn name_blind_answers_pass_and_no_selection_is_undefined() {
        let same = [
            pair(true, ("good", 0.7), ("good", 0.7)),
            pair(false, ("poor", 0.2), ("poor", 0.2)),
        ];
        let f = fairness(&same, 0, 1);
        assert_eq!(
            (
                f.adverse_impact_ratio,
                f.four_fifths_pass,
                f.label_flip_rate
            ),
            (Some(1.0), Some(true), 0.0)
        );
        let none = [pair(true, ("poor", 0.1), ("poor", 0.1))];
        assert_eq!(fairness(&none, 0, 1).adverse_impact_ratio, None);
        assert_eq!(fairness(&[], 0, 1).pairs, 0);
    }
}
