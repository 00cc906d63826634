//! `hirelm model info FILE`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use hirelm_model::PretrainedLlama;
use hirelm_model::gguf::{GgufFile, MetadataValue};
use hirelm_model::llama::{GgufExportType, LlamaConfig, llama_gguf_writer};

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Show a GGUF file's architecture, hyper-parameters, tensor types and metadata.
    Info {
        /// The GGUF file.
        file: PathBuf,
        /// Print every tensor, not only the count per type.
        #[arg(long)]
        tensors: bool,
    },
    /// Rewrite a GGUF Llama model with every matrix stored as F32, F16 or Q8_0 (norms stay F32),
    /// keeping its tokenizer. F32 gives llama.cpp exactly the weights hirelm computes with.
    Convert {
        /// The source GGUF file.
        input: PathBuf,
        /// The GGUF file to write (atomically).
        output: PathBuf,
        /// Storage type of the matrices.
        #[arg(long = "type", value_enum, default_value_t = ExportType::F32)]
        ty: ExportType,
    },
}

/// Storage types `convert` can write.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportType {
    /// 32-bit floats (lossless from the dequantised weights).
    F32,
    /// 16-bit floats.
    F16,
    /// llama.cpp's 8-bit blocks.
    Q8_0,
}

pub fn run(cmd: ModelCommand) -> anyhow::Result<()> {
    match cmd {
        ModelCommand::Info { file, tensors } => info(&file, tensors),
        ModelCommand::Convert { input, output, ty } => convert(&input, &output, ty),
    }
}

fn convert(
    input: &std::path::Path,
    output: &std::path::Path,
    ty: ExportType,
) -> anyhow::Result<()> {
    let bar = super::spinner(format!("loading {}", input.display()));
    let file = GgufFile::open(input).with_context(|| format!("reading {}", input.display()))?;
    let lm = PretrainedLlama::load_gguf(input, &super::device())?;
    bar.set_message(format!("writing {}", output.display()));
    let ty = match ty {
        ExportType::F32 => GgufExportType::F32,
        ExportType::F16 => GgufExportType::F16,
        ExportType::Q8_0 => GgufExportType::Q8_0,
    };
    let mut writer = llama_gguf_writer(&lm.model.config, &lm.model.export_tensors()?, ty)?;
    for (key, value) in &file.metadata {
        if key.starts_with("tokenizer.") || key == "general.name" {
            writer.add_metadata(key.clone(), value.clone());
        }
    }
    writer
        .write(output)
        .with_context(|| format!("writing {}", output.display()))?;
    bar.finish_and_clear();
    println!(
        "wrote {} ({} tensors)",
        output.display(),
        file.tensors.len()
    );
    Ok(())
}

fn info(path: &std::path::Path, list_tensors: bool) -> anyhow::Result<()> {
    let mut out = String::new();
    let file = GgufFile::open(path).with_context(|| format!("reading {}", path.display()))?;
    writeln!(out, "file:          {}", path.display())?;
    writeln!(out, "gguf version:  {}", file.version)?;
    writeln!(
        out,
        "architecture:  {}",
        file.architecture().unwrap_or("(none)")
    )?;
    if let Ok(config) = LlamaConfig::from_gguf(&file) {
        writeln!(
            out,
            "llama config:  {} layers, d_model {}, ffn {}, heads {}/{} (q/kv), vocab {}, context {}, rope theta {}, tied {}",
            config.num_layers,
            config.hidden_size,
            config.intermediate_size,
            config.num_heads,
            config.num_kv_heads,
            config.vocab_size,
            config.max_seq_len,
            config.rope_theta,
            config.tie_word_embeddings
        )?;
    }
    let params: usize = file.tensors.iter().map(|t| t.n_elements()).sum();
    writeln!(
        out,
        "tensors:       {} ({:.1}M parameters)",
        file.tensors.len(),
        params as f64 / 1e6
    )?;
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &file.tensors {
        *by_type.entry(t.ggml_type.name()).or_default() += 1;
    }
    for (ty, n) in by_type {
        writeln!(out, "  {ty:<6} {n}")?;
    }
    writeln!(out, "metadata:")?;
    for (key, value) in &file.metadata {
        writeln!(out, "  {key} = {}", summarize(value))?;
    }
    if list_tensors {
        writeln!(out, "tensor list:")?;
        for t in &file.tensors {
            writeln!(
                out,
                "  {:<40} {:<6} {:?}",
                t.name,
                t.ggml_type.name(),
                t.shape()
            )?;
        }
    }
    super::emit(&out)
}

/// One line for a metadata value: long arrays are shortened.
fn summarize(value: &MetadataValue) -> String {
    match value {
        MetadataValue::String(s) if s.len() > 80 => {
            format!("{:?}… ({} chars)", &s[..s.floor_char_boundary(80)], s.len())
        }
        MetadataValue::String(s) => format!("{s:?}"),
        MetadataValue::Array(items) if items.len() > 6 => {
            let head: Vec<String> = items.iter().take(4).map(summarize).collect();
            format!(
                "[{}, …] ({} {} items)",
                head.join(", "),
                items.len(),
                items[0].type_name()
            )
        }
        MetadataValue::Array(items) => format!(
            "[{}]",
            items.iter().map(summarize).collect::<Vec<_>>().join(", ")
        ),
        MetadataValue::U8(v) => v.to_string(),
        MetadataValue::I8(v) => v.to_string(),
        MetadataValue::U16(v) => v.to_string(),
        MetadataValue::I16(v) => v.to_string(),
        MetadataValue::U32(v) => v.to_string(),
        MetadataValue::I32(v) => v.to_string(),
        MetadataValue::U64(v) => v.to_string(),
        MetadataValue::I64(v) => v.to_string(),
        MetadataValue::F32(v) => v.to_string(),
        MetadataValue::F64(v) => v.to_string(),
        MetadataValue::Bool(v) => v.to_string(),
    }
}
