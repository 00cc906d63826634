//! One module per subcommand.

pub mod adapter;
pub mod ask;
pub mod bench;
pub mod check;
pub mod choices;
pub mod compare;
pub mod compare_parts;
pub mod compare_predictors;
pub mod compare_resume;
pub mod curate;
pub mod dedup;
pub mod embed;
pub mod encoder;
pub mod encoder_args;
pub mod encoder_card;
pub mod encoder_export;
pub mod eval;
pub mod fusion;
pub mod generate;
pub mod lm_predictor;
pub mod model;
pub mod model_args;
pub mod paired;
pub mod retrieval_args;
pub mod serve;
pub mod train;

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner on stderr for a step of unknown length (model loading).
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.into());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Where a fetched model is by default: `relative` under the models directory
/// (`HIRELM_MODELS_DIR`, else the `models/` of the checkout at or above the current directory,
/// else of the checkout this binary was built from), so `hirelm` finds its models from any
/// directory.
pub fn default_model(relative: &str) -> String {
    default_model_dir(relative).display().to_string()
}

/// [`default_model`] as a path.
pub fn default_model_dir(relative: &str) -> std::path::PathBuf {
    hirelm_model::models_dir().join(relative)
}

/// Clap's reading of an adapter option: a directory or `hf://owner/repo`, resolved like a base
/// model to the local directory holding the adapter's files.
pub fn adapter_source(text: &str) -> Result<std::path::PathBuf, String> {
    hirelm_train::resolve_adapter(text).map_err(|e| e.to_string())
}

/// The CPU device: burn's `flex` backend.
pub fn device() -> hirelm_model::burn::tensor::Device {
    hirelm_model::burn::tensor::Device::flex()
}

/// Writes `text` to stdout; a closed pipe (`hirelm model info … | head`) is not an error.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
