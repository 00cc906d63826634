//! Training runs from a TOML recipe: LoRA fine-tuning of the language model (what
//! `hirelm train` executes) and contrastive training of the sentence encoder (what
//! `hirelm encoder train` executes).

mod config;
mod encoder;
mod encoder_config;
mod log;
mod plot;
mod train;

pub use config::{DataSection, LoraSection, ModelSection, OptimSection, RunSection, TrainConfig};
pub use encoder::{
    EncoderStepReport, EncoderSummary, Scores, select_pairs, train_encoder, write_curves,
};
pub use encoder_config::{
    ContrastiveOptimSection, EncoderModelSection, EncoderRunSection, EncoderTrainConfig,
    PairDataSection,
};
pub use plot::loss_curve_svg;
pub use train::{StepReport, TrainSummary, train};
