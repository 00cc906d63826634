//! Examples to training tokens: one rendering through the shared task prompt and chat
//! template, and a seeded, resumable order over the examples.

use hirelm_core::{Example, assistant_message, task_instruction, user_message};
use hirelm_model::{ChatMessage, ChatTemplate, ChatTokens, Role, TextTokenizer};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::error::Result;

/// An example as the conversation the model is trained on: the task instruction as the system
/// message, the input as the user's, the target as the assistant's answer.
pub fn render_example(
    tokenizer: &TextTokenizer,
    template: &ChatTemplate,
    example: &Example,
) -> Result<ChatTokens> {
    let messages = [
        ChatMessage::new(Role::System, task_instruction(example.task)),
        ChatMessage::new(Role::User, user_message(&example.input)),
        ChatMessage::new(Role::Assistant, assistant_message(&example.target)),
    ];
    Ok(template.encode(tokenizer, &messages, false)?)
}

/// A deterministic, endless order over `len` examples: every epoch is a fresh permutation
/// drawn from `seed` and the epoch number, so the example at any position can be recomputed
/// from `(seed, position)` alone, which is what resuming needs.
#[derive(Debug, Clone)]
pub struct ExampleOrder {
    len: usize,
    seed: u64,
    epoch: Option<(u64, Vec<usize>)>,
}

impl ExampleOrder {
    /// An order over `len` examples.
    pub fn new(len: usize, seed: u64) -> Self {
        Self {
            len,
            seed,
            epoch: None,
        }
    }

    /// Index of the example at stream position `position`.
    pub fn index_at(&mut self, position: u64) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let epoch = position / self.len as u64;
        if self.epoch.as_ref().is_none_or(|(e, _)| *e != epoch) {
            let mut order: Vec<usize> = (0..self.len).collect();
            let mut rng =
                StdRng::seed_from_u64(self.seed ^ epoch.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            order.shuffle(&mut rng);
            self.epoch = Some((epoch, order));
        }
        self.epoch
            .as_ref()
            .map(|(_, order)| order[(position % self.len as u64) as usize])
    }

    /// Indices of `count` examples starting at `position`.
    pub fn take(&mut self, position: u64, count: usize) -> Vec<usize> {
        (0..count as u64)
            .filter_map(|i| self.index_at(position + i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_epoch_is_a_permutation_and_positions_are_recomputable() {
        let mut order = ExampleOrder::new(10, 3);
        let first: Vec<usize> = order.take(0, 10);
        let mut sorted = first.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        let second = order.take(10, 10);
        assert_ne!(first, second, "epochs must reshuffle");
        // A fresh order (as after a resume) agrees at any position.
        assert_eq!(ExampleOrder::new(10, 3).take(13, 4), second[3..7].to_vec());
        assert_ne!(
            ExampleOrder::new(10, 4).take(0, 10),
            first,
            "the seed matters"
        );
        assert!(ExampleOrder::new(0, 1).take(0, 3).is_empty());
    }
}
