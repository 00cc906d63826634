//! The generation check of a LoRA run's validations: greedy answers to the first validation
//! examples, scored for valid JSON and exact matches (what loss alone does not show: whether
//! the model writes answers that parse).

use hirelm_core::Example;
use hirelm_model::burn::tensor::Device;
use hirelm_model::{ChatTemplate, GenerateOptions, Generator};

use super::config::TrainConfig;
use crate::error::Result;
use crate::sft::{SftTrainer, render_example};

/// Greedy answers for the first validation examples: (valid-JSON rate, exact-match rate).
///
/// Decoding runs on a gradient-free copy of the model (`valid()`, on the plain device): on the
/// autodiff model every generated token would grow the graph until memory ran out.
pub(super) fn generation_check(
    trainer: &SftTrainer,
    tokenizer: &hirelm_model::TextTokenizer,
    template: &ChatTemplate,
    valid: &[Example],
    config: &TrainConfig,
) -> Result<(f64, f64)> {
    use hirelm_model::burn::module::Module;
    let n = config.run.generate_examples.min(valid.len());
    let model = trainer.model().valid();
    let generator = Generator::new(&model, tokenizer, Device::flex());
    // Long enough for the longest answers of the mix (interview slot lists, job posts).
    let options = GenerateOptions {
        max_tokens: 400,
        ..Default::default()
    }
    .with_default_stops(tokenizer);
    let (mut json_ok, mut exact) = (0, 0);
    for example in &valid[..n] {
        let mut prompt = render_example(tokenizer, template, example)?;
        // Keep the prompt up to and including "<|im_start|>assistant\n".
        let answer_start = prompt
            .assistant_mask
            .iter()
            .position(|m| *m)
            .unwrap_or(prompt.ids.len());
        prompt.ids.truncate(answer_start);
        let out = generator.generate(&prompt.ids, &options, |_| {
            std::ops::ControlFlow::Continue(())
        })?;
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&out.text) {
            if hirelm_core::validate(example.task, &value).is_ok() {
                json_ok += 1;
            }
            exact += usize::from(value == example.target);
        }
    }
    let n = n.max(1) as f64;
    Ok((json_ok as f64 / n, exact as f64 / n))
}
