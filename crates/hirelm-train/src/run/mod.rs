//! Training runs from a TOML recipe: LoRA fine-tuning of the language model (what
//! `hirelm train` executes) and contrastive training of the sentence encoder (what
//! `hirelm encoder train` executes).

mod config;
mod encoder;
mod encoder_config;
mod encoder_data;
mod generation_check;
mod log;
mod plot;
mod train;

pub use config::{
    ConsistencySection, DataSection, LoraSection, ModelSection, OptimSection, RunSection,
    TrainConfig,
};
pub use encoder::{EncoderStepReport, EncoderSummary, Scores, train_encoder, write_curves};
pub use encoder_config::{
    ContrastiveOptimSection, EncoderModelSection, EncoderRunSection, EncoderTrainConfig,
    HardNegativeSection, PairDataSection,
};
pub use encoder_data::{HARD_NEGATIVES_FILE, select_pairs};
pub use plot::loss_curve_svg;
pub use train::{StepReport, TrainSummary, train};
