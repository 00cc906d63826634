//! The model options `hirelm ask` and `hirelm serve` share: base model and adapter.

use std::path::PathBuf;

use clap::Args;
use hirelm_infer::{AdapterSpec, DomainModel, DomainModelBuilder, bundled_adapter_dir};

#[derive(Debug, Args)]
pub struct DomainModelArgs {
    /// Base model: GGUF file, HF directory or hf://owner/repo[/file].
    #[arg(
        long,
        default_value_t = crate::cmd::default_model(hirelm_model::SMOLLM2_GGUF)
    )]
    pub base: String,
    /// PEFT adapter directory (default: the bundled hiring adapter).
    #[arg(long, conflicts_with = "no_adapter")]
    pub adapter: Option<PathBuf>,
    /// Use the untuned base model.
    #[arg(long)]
    pub no_adapter: bool,
}

impl DomainModelArgs {
    /// The base model with the chosen adapter (if any) for every task.
    pub fn build(&self, max_new_tokens: usize) -> hirelm_infer::Result<DomainModel> {
        let mut builder = DomainModelBuilder::new(&self.base).with_max_new_tokens(max_new_tokens);
        if !self.no_adapter {
            let dir = self.adapter.clone().unwrap_or_else(bundled_adapter_dir);
            builder = builder.with_adapter(AdapterSpec {
                name: "adapter".into(),
                dir,
                tasks: None,
            });
        }
        builder.build()
    }
}
