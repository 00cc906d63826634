//! `hirelm dedup`: streaming near-duplicate removal over a Parquet file.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hirelm_curate::stream_dedup::{DedupOptions, dedup_parquet};

use super::curate::Bars;

/// Keeps the first of each group of near-duplicate rows (MinHash LSH over word shingles of one
/// text column) and writes the kept rows, with the input's schema, to OUTPUT. Reads and writes
/// in record batches, so memory stays flat as the input grows. Signatures equal datasketch's
/// (affine32 scheme) for the permutations printed in the `--report` JSON.
#[derive(Debug, Args)]
pub struct DedupArgs {
    /// Input Parquet file.
    pub input: PathBuf,
    /// Output Parquet file (written to OUTPUT.parquet.tmp, renamed when complete).
    pub output: PathBuf,
    /// The text column (Utf8 or LargeUtf8).
    #[arg(long, default_value = "text")]
    pub column: String,
    /// Words per shingle.
    #[arg(long, default_value_t = 3)]
    pub shingle_words: usize,
    /// MinHash permutations (signature length).
    #[arg(long, default_value_t = 128)]
    pub permutations: usize,
    /// LSH bands (9 × 13 is datasketch's optimum for threshold 0.8 and 128 permutations).
    #[arg(long, default_value_t = 9)]
    pub bands: usize,
    /// Signature values per band.
    #[arg(long, default_value_t = 13)]
    pub rows: usize,
    /// Estimated Jaccard similarity at or above which a row duplicates an earlier kept row.
    #[arg(long, default_value_t = 0.8)]
    pub threshold: f64,
    /// Seed of the permutations.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Rows per record batch.
    #[arg(long, default_value_t = 8192)]
    pub batch_rows: usize,
    /// Write the duplicate pairs here (TSV: row, duplicate_of, similarity).
    #[arg(long)]
    pub pairs: Option<PathBuf>,
    /// Write the run report (counts, parameters, permutations) here as JSON.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

pub fn run(args: DedupArgs) -> anyhow::Result<()> {
    let mut options = DedupOptions {
        column: args.column,
        batch_rows: args.batch_rows,
        pairs: args.pairs,
        ..DedupOptions::default()
    };
    options.minhash.shingle_words = args.shingle_words;
    options.minhash.permutations = args.permutations;
    options.minhash.bands = args.bands;
    options.minhash.rows = Some(args.rows);
    options.minhash.threshold = args.threshold;
    options.minhash.seed = args.seed;
    let mut bars = Bars::new();
    let report = dedup_parquet(&args.input, &args.output, &options, &mut bars)
        .with_context(|| format!("deduplicating {}", args.input.display()))?;
    if let Some(bar) = bars.bar.take() {
        bar.finish_and_clear();
    }
    let seconds = bars.started.elapsed().as_secs_f64();
    eprintln!(
        "[{seconds:>6.1}s] kept {} of {} rows ({} near-duplicates, {} null texts, {} candidate comparisons) in {}",
        report.kept,
        report.rows,
        report.duplicates,
        report.null_texts,
        report.comparisons,
        args.output.display()
    );
    if let Some(path) = args.report {
        let mut json = serde_json::to_value(&report)?;
        json["seconds"] = serde_json::json!(seconds);
        hirelm_core::fs::write_atomic(&path, serde_json::to_string_pretty(&json)?.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
