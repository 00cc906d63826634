//! `hirelm adapter info|merge`: inspect a PEFT-format adapter, or fold it into its base model and
//! export the result as an HF safetensors directory and/or a GGUF file.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use hirelm_model::PretrainedLlama;
use hirelm_model::gguf::GgufFile;
use hirelm_model::llama::{GgufExportType, HfLlamaConfig, llama_gguf_writer};
use hirelm_model::weights::{SafetensorsWeights, WeightSource, write_safetensors};
use hirelm_train::{ADAPTER_WEIGHTS, LoraConfig, load_adapter, merge_all};

use super::model::ExportType;

#[derive(Debug, Subcommand)]
pub enum AdapterCommand {
    /// Show an adapter directory's config (rank, alpha, targets) and tensor count.
    Info {
        /// Directory with adapter_config.json and adapter_model.safetensors.
        dir: PathBuf,
    },
    /// Merge an adapter into its base model and export the merged model.
    Merge {
        /// The base model (GGUF file, HF directory or hf://owner/repo[/file]).
        #[arg(
            long,
            default_value_t = crate::cmd::default_model(hirelm_model::SMOLLM2_GGUF)
        )]
        base: String,
        /// The adapter directory.
        #[arg(long)]
        adapter: PathBuf,
        /// Write an HF-format directory (config.json, model.safetensors, tokenizer.json) here.
        #[arg(long)]
        hf_out: Option<PathBuf>,
        /// Write a GGUF file here (loads in hirelm and llama.cpp).
        #[arg(long)]
        gguf_out: Option<PathBuf>,
        /// Storage type of the GGUF matrices.
        #[arg(long = "gguf-type", value_enum, default_value_t = ExportType::F16)]
        gguf_type: ExportType,
    },
    /// Rewrite an adapter with half-precision tensors (half the size; how adapters ship).
    ToF16 {
        /// The base model the adapter belongs to (its shapes are checked).
        #[arg(
            long,
            default_value_t = crate::cmd::default_model(hirelm_model::SMOLLM2_GGUF)
        )]
        base: String,
        /// The adapter directory to read.
        src: PathBuf,
        /// The directory to write.
        dst: PathBuf,
    },
}

pub fn run(cmd: AdapterCommand) -> anyhow::Result<()> {
    match cmd {
        AdapterCommand::Info { dir } => info(&dir),
        AdapterCommand::Merge {
            base,
            adapter,
            hf_out,
            gguf_out,
            gguf_type,
        } => merge(&base, &adapter, hf_out, gguf_out, gguf_type),
        AdapterCommand::ToF16 { base, src, dst } => to_f16(&base, &src, &dst),
    }
}

fn to_f16(base: &str, src: &std::path::Path, dst: &std::path::Path) -> anyhow::Result<()> {
    let device = super::device();
    let mut lm = hirelm_model::PretrainedLlama::load(base, &device)
        .with_context(|| format!("loading {base}"))?;
    let config = hirelm_train::load_adapter(&mut lm.model, src, &device)?;
    let n = hirelm_train::save_adapter_as(&mut lm.model, &config, dst, hirelm_train::Dtype::F16)?;
    eprintln!("wrote {} ({n} tensors, f16)", dst.display());
    Ok(())
}

fn info(dir: &std::path::Path) -> anyhow::Result<()> {
    let config = LoraConfig::from_peft_file(&dir.join(hirelm_train::ADAPTER_CONFIG))?;
    let weights = SafetensorsWeights::open(dir.join(ADAPTER_WEIGHTS))?;
    let names = weights.names();
    let params: usize = names
        .iter()
        .filter_map(|n| {
            weights
                .info(n)
                .map(|(_, shape)| shape.iter().product::<usize>())
        })
        .sum();
    let text = format!(
        "adapter:        {}\nbase model:     {}\nrank:           {}\nalpha:          {} (scale {:.4}{})\ntargets:        {}\ntensors:        {} ({:.2}M parameters)\n",
        dir.display(),
        config.base_model,
        config.rank,
        config.alpha,
        config.scale(),
        if config.use_rslora { ", rsLoRA" } else { "" },
        config.target_modules.join(" "),
        names.len(),
        params as f64 / 1e6
    );
    super::emit(&text)
}

/// `tokenizer_config.json` (chat template, special tokens) and `generation_config.json` beside
/// an exported HF model: built from a GGUF base's metadata, or copied from an HF base directory.
fn write_hf_side_files(
    base: &str,
    base_gguf: Option<&GgufFile>,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    const SIDE_FILES: [&str; 3] = [
        "tokenizer_config.json",
        "generation_config.json",
        "special_tokens_map.json",
    ];
    if let Some(gguf) = base_gguf {
        let files = hirelm_model::llama::hf_side_files(gguf)
            .with_context(|| format!("reading the tokenizer metadata of {base}"))?;
        for (name, value) in [
            ("tokenizer_config.json", &files.tokenizer_config),
            ("generation_config.json", &files.generation_config),
        ] {
            std::fs::write(dir.join(name), serde_json::to_string_pretty(value)?)
                .with_context(|| format!("writing {}", dir.join(name).display()))?;
        }
        return Ok(());
    }
    let source = std::path::Path::new(base);
    for name in SIDE_FILES {
        let from = source.join(name);
        if from.is_file() {
            std::fs::copy(&from, dir.join(name))
                .with_context(|| format!("copying {}", from.display()))?;
        }
    }
    Ok(())
}

fn merge(
    base: &str,
    adapter: &std::path::Path,
    hf_out: Option<PathBuf>,
    gguf_out: Option<PathBuf>,
    gguf_type: ExportType,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        hf_out.is_some() || gguf_out.is_some(),
        "give --hf-out and/or --gguf-out"
    );
    // The GGUF tokenizer metadata is copied from the base file, so the base must be a local GGUF.
    let base_gguf = GgufFile::open(std::path::Path::new(base)).ok();
    anyhow::ensure!(
        gguf_out.is_none() || base_gguf.is_some(),
        "--gguf-out needs a local GGUF base (its tokenizer metadata is copied); use --hf-out for other bases"
    );
    let device = super::device();
    let bar = super::spinner(format!("loading {base}"));
    let mut lm =
        PretrainedLlama::load(base, &device).with_context(|| format!("loading base {base}"))?;
    let config = load_adapter(&mut lm.model, adapter, &device)
        .with_context(|| format!("loading adapter {}", adapter.display()))?;
    let merged = merge_all(&mut lm.model);
    bar.set_message("exporting");
    let tensors = lm.model.export_tensors()?;
    if let Some(dir) = &hf_out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        write_safetensors(&dir.join("model.safetensors"), &tensors)?;
        let json = serde_json::to_string_pretty(&HfLlamaConfig::from_config(&lm.model.config))?;
        std::fs::write(dir.join("config.json"), json)?;
        lm.tokenizer
            .inner()
            .save(dir.join("tokenizer.json"), true)
            .map_err(|e| anyhow::anyhow!("writing tokenizer.json: {e}"))?;
        write_hf_side_files(base, base_gguf.as_ref(), dir)?;
    }
    if let Some(path) = &gguf_out {
        let ty = match gguf_type {
            ExportType::F32 => GgufExportType::F32,
            ExportType::F16 => GgufExportType::F16,
            ExportType::Q8_0 => GgufExportType::Q8_0,
        };
        let mut writer = llama_gguf_writer(&lm.model.config, &tensors, ty)?;
        // A GGUF base carries its tokenizer as metadata: keep it so llama.cpp can run the file.
        if let Some(source) = &base_gguf {
            for (key, value) in &source.metadata {
                if key.starts_with("tokenizer.") || key == "general.name" {
                    writer.add_metadata(key.clone(), value.clone());
                }
            }
        }
        writer
            .write(path)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    bar.finish_and_clear();
    let text = format!(
        "merged {merged} adapters (rank {}) into {base}{}{}\n",
        config.rank,
        hf_out
            .map(|d| format!("\nHF model:   {}", d.display()))
            .unwrap_or_default(),
        gguf_out
            .map(|p| format!("\nGGUF model: {}", p.display()))
            .unwrap_or_default()
    );
    super::emit(&text)
}
