//! `hirelm model info FILE`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use hirelm_model::gguf::{GgufFile, MetadataValue};
use hirelm_model::llama::LlamaConfig;

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
}

pub fn run(cmd: ModelCommand) -> anyhow::Result<()> {
    match cmd {
        ModelCommand::Info { file, tensors } => info(&file, tensors),
    }
}

fn info(path: &std::path::Path, list_tensors: bool) -> anyhow::Result<()> {
    let file = GgufFile::open(path).with_context(|| format!("reading {}", path.display()))?;
    println!("file:          {}", path.display());
    println!("gguf version:  {}", file.version);
    println!("architecture:  {}", file.architecture().unwrap_or("(none)"));
    if let Ok(config) = LlamaConfig::from_gguf(&file) {
        println!(
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
        );
    }
    let params: usize = file.tensors.iter().map(|t| t.n_elements()).sum();
    println!("tensors:       {} ({:.1}M parameters)", file.tensors.len(), params as f64 / 1e6);
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &file.tensors {
        *by_type.entry(t.ggml_type.name()).or_default() += 1;
    }
    for (ty, n) in by_type {
        println!("  {ty:<6} {n}");
    }
    println!("metadata:");
    for (key, value) in &file.metadata {
        println!("  {key} = {}", summarize(value));
    }
    if list_tensors {
        println!("tensor list:");
        for t in &file.tensors {
            println!("  {:<40} {:<6} {:?}", t.name, t.ggml_type.name(), t.shape());
        }
    }
    Ok(())
}

/// One line for a metadata value: long arrays are shortened.
fn summarize(value: &MetadataValue) -> String {
    match value {
        MetadataValue::String(s) if s.len() > 80 => format!("{:?}… ({} chars)", &s[..s.floor_char_boundary(80)], s.len()),
        MetadataValue::String(s) => format!("{s:?}"),
        MetadataValue::Array(items) if items.len() > 6 => {
            let head: Vec<String> = items.iter().take(4).map(summarize).collect();
            format!("[{}, …] ({} {} items)", head.join(", "), items.len(), items[0].type_name())
        }
        MetadataValue::Array(items) => format!("[{}]", items.iter().map(summarize).collect::<Vec<_>>().join(", ")),
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
