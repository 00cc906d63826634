//! Choosing the next token from logits: greedy, or seeded temperature / top-k / top-p sampling.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How to pick each next token. The default is greedy decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingParams {
    /// Softmax temperature; `0` means greedy (argmax).
    pub temperature: f32,
    /// Keep only the `k` most likely tokens before sampling.
    pub top_k: Option<usize>,
    /// Keep the smallest set of tokens whose probability mass reaches `p`.
    pub top_p: Option<f32>,
    /// Seed of the sampler's random generator: the same seed gives the same text.
    pub seed: u64,
}

impl Default for SamplingParams {
    fn default() -> Self {
        Self {
            temperature: 0.0,
            top_k: None,
            top_p: None,
            seed: 0,
        }
    }
}

impl SamplingParams {
    /// Greedy decoding.
    pub fn greedy() -> Self {
        Self::default()
    }
}

/// A sampler with its own random state.
#[derive(Debug, Clone)]
pub struct Sampler {
    params: SamplingParams,
    rng: StdRng,
}

impl Sampler {
    /// A sampler seeded from `params.seed`.
    pub fn new(params: SamplingParams) -> Self {
        let rng = StdRng::seed_from_u64(params.seed);
        Self { params, rng }
    }

    /// The next token id for `logits` (one row over the vocabulary).
    pub fn sample(&mut self, logits: &[f32]) -> u32 {
        if self.params.temperature <= 0.0 {
            return argmax(logits);
        }
        // Shift by the largest logit before dividing: a tiny temperature then sends the rest to
        // -inf (probability 0) instead of the top logits to +inf (NaN after the shift).
        let top = logits
            .iter()
            .copied()
            .filter(|l| l.is_finite())
            .fold(f32::NEG_INFINITY, f32::max);
        let mut candidates: Vec<(u32, f32)> = logits
            .iter()
            .enumerate()
            .filter(|(_, l)| l.is_finite())
            .map(|(i, &l)| (i as u32, (l - top) / self.params.temperature))
            .collect();
        if candidates.is_empty() {
            return argmax(logits);
        }
        // Descending by logit, ties by id: deterministic whatever the sort's stability.
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if let Some(k) = self.params.top_k.filter(|&k| k > 0) {
            candidates.truncate(k);
        }
        let max = candidates[0].1;
        let mut probs: Vec<f32> = candidates.iter().map(|(_, l)| (l - max).exp()).collect();
        let total: f32 = probs.iter().sum();
        probs.iter_mut().for_each(|p| *p /= total);
        if let Some(p) = self.params.top_p.filter(|p| *p > 0.0 && *p < 1.0) {
            let mut mass = 0.0;
            let keep = probs.iter().position(|q| {
                mass += q;
                mass >= p
            });
            let keep = keep.map_or(probs.len(), |i| i + 1);
            probs.truncate(keep);
            let total: f32 = probs.iter().sum();
            probs.iter_mut().for_each(|q| *q /= total);
        }
        let draw: f32 = self.rng.random();
        let mut acc = 0.0;
        for (i, p) in probs.iter().enumerate() {
            acc += p;
            if draw < acc {
                return candidates[i].0;
            }
        }
        candidates[probs.len() - 1].0
    }
}

/// Index of the largest logit; the lowest index wins ties, so greedy output is deterministic.
pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0usize;
    for (i, &l) in logits.iter().enumerate() {
        if l > logits[best] {
            best = i;
        }
    }
    best as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_picks_first_maximum() {
        let mut s = Sampler::new(SamplingParams::greedy());
        assert_eq!(s.sample(&[0.1, 3.0, 3.0, -1.0]), 1);
    }

    #[test]
    fn top_k_one_is_greedy_even_when_hot() {
        let params = SamplingParams {
            temperature: 5.0,
            top_k: Some(1),
            top_p: None,
            seed: 7,
        };
        let mut s = Sampler::new(params);
        for _ in 0..50 {
            assert_eq!(s.sample(&[0.0, 0.5, 2.0, 1.9]), 2);
        }
    }

    #[test]
    fn top_p_excludes_the_tail() {
        // Probabilities ~ [0.64, 0.24, 0.09, 0.03]: p = 0.8 keeps only the first two.
        let logits = [3.0, 2.0, 1.0, 0.0];
        let params = SamplingParams {
            temperature: 1.0,
            top_k: None,
            top_p: Some(0.8),
            seed: 1,
        };
        let mut s = Sampler::new(params);
        let draws: Vec<u32> = (0..400).map(|_| s.sample(&logits)).collect();
        assert!(draws.iter().all(|&t| t < 2), "tail token drawn");
        assert!(draws.contains(&1) && draws.contains(&0));
    }

    #[test]
    fn a_tiny_temperature_is_greedy_not_nan() {
        let params = SamplingParams {
            temperature: 1e-40,
            top_k: None,
            top_p: None,
            seed: 3,
        };
        let mut s = Sampler::new(params);
        assert_eq!(s.sample(&[0.5, 4.0, 3.9, -2.0]), 1);
    }

    #[test]
    fn same_seed_same_draws_other_seed_differs() {
        let logits: Vec<f32> = (0..50).map(|i| (i as f32 * 0.37).sin()).collect();
        let run = |seed| {
            let mut s = Sampler::new(SamplingParams {
                temperature: 1.0,
                top_k: None,
                top_p: None,
                seed,
            });
            (0..64).map(|_| s.sample(&logits)).collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }
}
