//! Fine-tuning runs from a TOML recipe: what `hirelm train` executes.

mod config;
mod plot;
mod train;

pub use config::{DataSection, LoraSection, ModelSection, OptimSection, RunSection, TrainConfig};
pub use plot::loss_curve_svg;
pub use train::{StepReport, TrainSummary, train};
