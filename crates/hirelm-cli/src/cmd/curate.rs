//! `hirelm curate`: build the datasets of a curation recipe.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hirelm_curate::{CurateConfig, CurateError, Embedder, Progress, Shard, curate};
use hirelm_model::bert::SentenceEncoder;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, Args)]
pub struct CurateArgs {
    /// The curation recipe (TOML).
    #[arg(long, default_value = "configs/curate.toml")]
    pub config: PathBuf,
    /// Process one deterministic shard `I/N` (groups whose hash is I modulo N).
    #[arg(long)]
    pub shard: Option<String>,
    /// Write under this folder instead of the recipe's `output_dir`.
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// Sentence encoder for distant supervision (all-MiniLM-L6-v2 from scripts/fetch-models.sh).
    #[arg(long, default_value_os_t = crate::cmd::default_model_dir(hirelm_model::MINILM_DIR))]
    pub encoder: PathBuf,
}

/// MiniLM as the curation embedder.
struct MiniLm(SentenceEncoder);

impl Embedder for MiniLm {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, CurateError> {
        self.0
            .embed(texts)
            .map_err(|e| CurateError::Embed(format!("{e:#}")))
    }
}

/// One progress bar per stage on stderr.
pub(crate) struct Bars {
    pub(crate) bar: Option<ProgressBar>,
    pub(crate) started: std::time::Instant,
}

impl Bars {
    pub(crate) fn new() -> Self {
        Self {
            bar: None,
            started: std::time::Instant::now(),
        }
    }
}

impl Progress for Bars {
    fn stage(&mut self, name: &str, total: Option<u64>) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        eprintln!("[{:>6.1}s] {name}", self.started.elapsed().as_secs_f64());
        let bar = match total {
            Some(n) => {
                let bar = ProgressBar::new(n);
                bar.set_style(
                    ProgressStyle::with_template("{bar:40} {pos}/{len} ({per_sec}, eta {eta})")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar
            }
            None => super::spinner(name.to_string()),
        };
        self.bar = Some(bar);
    }

    fn advance(&mut self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }
}

pub fn run(args: CurateArgs) -> anyhow::Result<()> {
    let mut config = CurateConfig::from_file(&args.config)?;
    if let Some(dir) = args.output_dir {
        config.output_dir = dir;
    }
    let shard: Option<Shard> = args.shard.as_deref().map(str::parse).transpose()?;
    let encoder = if config.extract_skills.distant {
        let bar = super::spinner(format!("loading {}", args.encoder.display()));
        let encoder =
            SentenceEncoder::load(&args.encoder, &super::device()).with_context(|| {
                format!(
                    "loading the sentence encoder from {} (run scripts/fetch-models.sh)",
                    args.encoder.display()
                )
            })?;
        bar.finish_and_clear();
        Some(MiniLm(encoder))
    } else {
        None
    };
    let mut bars = Bars::new();
    let report = curate(
        &config,
        encoder.as_ref().map(|e| e as &dyn Embedder),
        shard,
        &mut bars,
    )
    .with_context(|| format!("curating {}", args.config.display()))?;
    if let Some(bar) = bars.bar.take() {
        bar.finish_and_clear();
    }
    let dir = hirelm_curate::pipeline::dataset_dir(&config);
    let total: usize = report.final_counts.values().sum();
    eprintln!(
        "[{:>6.1}s] wrote {total} examples and card.md to {}",
        bars.started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
