//! `hirelm embed`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hirelm_model::bert::SentenceEncoder;

#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Directory with the encoder's config.json, model.safetensors and tokenizer.json.
    #[arg(long, default_value_os_t = crate::cmd::default_model_dir(hirelm_model::MINILM_DIR))]
    pub model: PathBuf,
    /// Sentences to embed; each output line is the L2-normalised embedding as a JSON array.
    #[arg(required = true)]
    pub texts: Vec<String>,
}

pub fn run(args: EmbedArgs) -> anyhow::Result<()> {
    let device = super::device();
    let bar = super::spinner(format!("loading {}", args.model.display()));
    let encoder = SentenceEncoder::load(&args.model, &device)
        .with_context(|| format!("loading encoder from {}", args.model.display()))?;
    bar.finish_and_clear();
    let texts: Vec<&str> = args.texts.iter().map(String::as_str).collect();
    let start = std::time::Instant::now();
    let embeddings = encoder.embed(&texts)?;
    for e in &embeddings {
        println!("{}", serde_json::to_string(e)?);
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "[{} sentences in {secs:.2}s, {:.1} sentences/s, dim {}]",
        texts.len(),
        texts.len() as f64 / secs.max(1e-9),
        encoder.dim()
    );
    Ok(())
}
