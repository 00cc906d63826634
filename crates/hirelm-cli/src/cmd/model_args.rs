//! The model options `hirelm ask` and `hirelm serve` share: base model and adapter.

use std::path::{Path, PathBuf};

use clap::Args;
use hirelm_infer::{AdapterSpec, DomainModel, DomainModelBuilder, ShippedRoutes};

/// The adapters of "the tuned model": `adapter` for every task when one is given, else the
/// shipped adapters routed per task by `shipped/routes.toml` (what `bench compare` measures),
/// read only then.
pub fn tuned_adapters(adapter: Option<&Path>) -> hirelm_infer::Result<Vec<AdapterSpec>> {
    match adapter {
        Some(dir) => Ok(vec![every_task(dir)]),
        None => Ok(ShippedRoutes::shipped()?.adapters),
    }
}

/// `dir` as the adapter of every task.
fn every_task(dir: &Path) -> AdapterSpec {
    AdapterSpec {
        name: "adapter".into(),
        dir: dir.to_path_buf(),
        tasks: None,
    }
}

#[derive(Debug, Args)]
pub struct DomainModelArgs {
    /// Base model: GGUF file, HF directory or hf://owner/repo[/file].
    #[arg(
        long,
        default_value_t = crate::cmd::default_model(hirelm_model::SMOLLM2_GGUF)
    )]
    pub base: String,
    /// PEFT adapter for every task, a directory or hf://owner/repo (default: the shipped
    /// adapters, routed per task by shipped/routes.toml).
    #[arg(long, conflicts_with = "no_adapter", value_parser = super::adapter_source)]
    pub adapter: Option<PathBuf>,
    /// Use the untuned base model.
    #[arg(long)]
    pub no_adapter: bool,
}

impl DomainModelArgs {
    /// The base model with the chosen adapters: `--adapter` for every task, else those of
    /// `routes`, none with `--no-adapter`.
    pub fn build(
        &self,
        max_new_tokens: usize,
        routes: &ShippedRoutes,
    ) -> hirelm_infer::Result<DomainModel> {
        let mut builder = DomainModelBuilder::new(&self.base).with_max_new_tokens(max_new_tokens);
        let adapters = match (&self.adapter, self.no_adapter) {
            (_, true) => Vec::new(),
            (Some(dir), false) => vec![every_task(dir)],
            (None, false) => routes.adapters.clone(),
        };
        for adapter in adapters {
            builder = builder.with_adapter(adapter);
        }
        builder.build()
    }
}
