//! Streaming near-duplicate removal over any Parquet file with a text column.
//!
//! The file is read in Arrow record batches; each batch's MinHash signatures are computed in
//! parallel (rayon), then checked against an [`LshIndex`] in row order, and the kept rows of the
//! batch are written out with the input's own schema. Nothing but the index (a few hundred bytes
//! per kept row, see [`LshIndex`]) outlives a batch, so memory stays flat as inputs grow from
//! thousands to millions of rows. Outputs go to `*.tmp` files renamed when complete.
//!
//! ```no_run
//! use hirelm_curate::stream_dedup::{DedupOptions, dedup_parquet};
//! use hirelm_curate::NoProgress;
//! let options = DedupOptions { column: "text".into(), ..DedupOptions::default() };
//! let report = dedup_parquet("docs.parquet".as_ref(), "kept.parquet".as_ref(), &options, &mut NoProgress)?;
//! println!("{} of {} rows kept", report.kept, report.rows);
//! # Ok::<(), hirelm_curate::CurateError>(())
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::{Array, BooleanArray, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;
use serde::Serialize;

use crate::clean::{LshIndex, MinHashConfig, MinHasher, Verdict};
use crate::error::CurateError;
use crate::pipeline::Progress;

/// Rows per output row group.
const ROW_GROUP_ROWS: usize = 65_536;

/// What to deduplicate and how.
#[derive(Debug, Clone)]
pub struct DedupOptions {
    /// The text column (Utf8 or LargeUtf8); null texts are kept and not indexed.
    pub column: String,
    /// Rows per record batch read (and per parallel signature batch).
    pub batch_rows: usize,
    /// MinHash LSH parameters.
    pub minhash: MinHashConfig,
    /// Where to write the duplicate pairs (`row`, `duplicate_of`, `similarity`, tab-separated).
    pub pairs: Option<PathBuf>,
}

impl Default for DedupOptions {
    fn default() -> Self {
        // datasketch's optimal bands for threshold 0.8 and 128 permutations.
        let minhash = MinHashConfig {
            bands: 9,
            rows: Some(13),
            ..MinHashConfig::default()
        };
        Self {
            column: "text".into(),
            batch_rows: 8192,
            minhash,
            pairs: None,
        }
    }
}

/// What a run did; the permutations let another implementation reproduce the signatures.
#[derive(Debug, Clone, Serialize)]
pub struct DedupReport {
    /// Rows read.
    pub rows: u64,
    /// Rows written.
    pub kept: u64,
    /// Rows dropped as near-duplicates of an earlier row.
    pub duplicates: u64,
    /// Rows whose text was null (kept, not indexed).
    pub null_texts: u64,
    /// Candidate signatures compared.
    pub comparisons: u64,
    /// Parameters used.
    pub minhash: MinHashConfig,
    /// Permutation multipliers.
    pub permutations_a: Vec<u32>,
    /// Permutation offsets.
    pub permutations_b: Vec<u32>,
}

/// Removes near-duplicate rows of `input` into `output` (see the module docs).
pub fn dedup_parquet(
    input: &Path,
    output: &Path,
    options: &DedupOptions,
    progress: &mut dyn Progress,
) -> Result<DedupReport, CurateError> {
    if let Some(problem) = options.minhash.problem() {
        return Err(CurateError::Config {
            path: input.to_path_buf(),
            field: "minhash".into(),
            reason: problem,
        });
    }
    let tmp_out = output.with_extension("parquet.tmp");
    let scratch = output.with_extension("signatures.tmp");
    let tmp_pairs = options.pairs.as_ref().map(|p| p.with_extension("tsv.tmp"));
    let result = run(
        input,
        &tmp_out,
        &scratch,
        tmp_pairs.as_deref(),
        options,
        progress,
    );
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_out);
        if let Some(p) = &tmp_pairs {
            let _ = std::fs::remove_file(p);
        }
        return result;
    }
    std::fs::rename(&tmp_out, output).map_err(|e| CurateError::io(output, e))?;
    if let (Some(tmp), Some(pairs)) = (&tmp_pairs, &options.pairs) {
        std::fs::rename(tmp, pairs).map_err(|e| CurateError::io(pairs, e))?;
    }
    result
}

fn run(
    input: &Path,
    tmp_out: &Path,
    scratch: &Path,
    tmp_pairs: Option<&Path>,
    options: &DedupOptions,
    progress: &mut dyn Progress,
) -> Result<DedupReport, CurateError> {
    let perr = |path: &Path, reason: String| CurateError::Parquet {
        path: path.to_path_buf(),
        reason,
    };
    let file = File::open(input).map_err(|e| CurateError::io(input, e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| perr(input, e.to_string()))?;
    let schema = builder.schema().clone();
    let field = schema.field_with_name(&options.column).map_err(|_| {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        perr(
            input,
            format!(
                "no column `{}` (columns: {})",
                options.column,
                names.join(", ")
            ),
        )
    })?;
    if !matches!(field.data_type(), DataType::Utf8 | DataType::LargeUtf8) {
        return Err(perr(
            input,
            format!(
                "column `{}` is {}, not text",
                options.column,
                field.data_type()
            ),
        ));
    }
    let total = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let reader = builder
        .with_batch_size(options.batch_rows.max(1))
        .build()
        .map_err(|e| perr(input, e.to_string()))?;

    let out_file = File::create(tmp_out).map_err(|e| CurateError::io(tmp_out, e))?;
    // Bounded row groups: the writer buffers a whole row group (by default a million rows).
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build();
    let mut writer = ArrowWriter::try_new(out_file, schema.clone(), Some(props))
        .map_err(|e| perr(tmp_out, e.to_string()))?;
    let mut pairs = match tmp_pairs {
        Some(p) => {
            let mut w = BufWriter::new(File::create(p).map_err(|e| CurateError::io(p, e))?);
            writeln!(w, "row\tduplicate_of\tsimilarity").map_err(|e| CurateError::io(p, e))?;
            Some((p, w))
        }
        None => None,
    };
    let hasher = MinHasher::new(options.minhash.clone());
    let mut index =
        LshIndex::new(hasher.clone(), scratch).map_err(|e| CurateError::io(scratch, e))?;
    let mut report = DedupReport {
        rows: 0,
        kept: 0,
        duplicates: 0,
        null_texts: 0,
        comparisons: 0,
        minhash: options.minhash.clone(),
        permutations_a: hasher.permutations().0.to_vec(),
        permutations_b: hasher.permutations().1.to_vec(),
    };
    progress.stage("near-dedup (MinHash LSH)", Some(total));
    // Writing batch n (compression) overlaps the signatures of batch n + 1 on the other cores.
    let mut unwritten: Option<RecordBatch> = None;
    for batch in reader {
        let batch = batch.map_err(|e| perr(input, e.to_string()))?;
        let texts = texts_of(&batch, &options.column)
            .ok_or_else(|| perr(input, format!("column `{}` is not text", options.column)))?;
        let (signatures, written) = rayon::join(
            || {
                texts
                    .par_iter()
                    .map(|t| t.map(|t| hasher.signature(t)))
                    .collect::<Vec<Option<Vec<u32>>>>()
            },
            || unwritten.take().map_or(Ok(()), |kept| writer.write(&kept)),
        );
        written.map_err(|e| perr(tmp_out, e.to_string()))?;
        let mut keep = Vec::with_capacity(signatures.len());
        for sig in &signatures {
            let row = report.rows;
            report.rows += 1;
            let Some(sig) = sig else {
                report.null_texts += 1;
                keep.push(true);
                continue;
            };
            match index
                .push(row, sig)
                .map_err(|e| CurateError::io(scratch, e))?
            {
                Verdict::Kept => keep.push(true),
                Verdict::Duplicate { of, similarity } => {
                    keep.push(false);
                    report.duplicates += 1;
                    if let Some((path, w)) = &mut pairs {
                        writeln!(w, "{row}\t{of}\t{similarity:.6}")
                            .map_err(|e| CurateError::io(*path, e))?;
                    }
                }
            }
        }
        let kept = arrow_select::filter::filter_record_batch(&batch, &BooleanArray::from(keep))
            .map_err(|e| perr(input, e.to_string()))?;
        report.kept += kept.num_rows() as u64;
        unwritten = Some(kept);
        progress.advance(batch.num_rows() as u64);
    }
    if let Some(kept) = unwritten {
        writer
            .write(&kept)
            .map_err(|e| perr(tmp_out, e.to_string()))?;
    }
    writer.close().map_err(|e| perr(tmp_out, e.to_string()))?;
    if let Some((path, mut w)) = pairs {
        w.flush().map_err(|e| CurateError::io(path, e))?;
    }
    report.comparisons = index.comparisons;
    Ok(report)
}

/// The batch's texts (`None` for nulls), whichever string width the column has.
fn texts_of<'a>(batch: &'a RecordBatch, column: &str) -> Option<Vec<Option<&'a str>>> {
    let array = batch.column_by_name(column)?;
    let get = |i: usize| !array.is_null(i);
    if let Some(a) = array.as_string_opt::<i32>() {
        return Some((0..a.len()).map(|i| get(i).then(|| a.value(i))).collect());
    }
    let a = array.as_string_opt::<i64>()?;
    Some((0..a.len()).map(|i| get(i).then(|| a.value(i))).collect())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Int64Array, StringArray};
    use arrow_schema::{Field, Schema};

    use super::*;
    use crate::pipeline::NoProgress;

    fn write_input(path: &Path, texts: &[Option<&str>]) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("text", DataType::Utf8, true),
        ]));
        let ids = Int64Array::from_iter_values(0..texts.len() as i64);
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(ids), Arc::new(StringArray::from(texts.to_vec()))],
        )
        .expect("batch");
        let mut w = ArrowWriter::try_new(File::create(path).expect("create"), schema, None)
            .expect("writer");
        w.write(&batch).expect("write");
        w.close().expect("close");
    }

    fn read_ids(path: &Path) -> Vec<i64> {
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).expect("open"))
            .expect("builder")
            .build()
            .expect("reader");
        reader
            .flat_map(|b| {
                let b = b.expect("batch");
                b.column(0)
                    .as_primitive::<arrow_array::types::Int64Type>()
                    .values()
                    .to_vec()
            })
            .collect()
    }

    const A: &str =
        "We are looking for a senior backend engineer with strong Python and PostgreSQL experience";
    const B: &str = "Design and build data pipelines on Spark and Kafka for our analytics platform serving users";

    #[test]
    fn drops_later_near_duplicates_across_batches_and_keeps_the_schema() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (input, output, pairs) = (
            dir.path().join("in.parquet"),
            dir.path().join("out.parquet"),
            dir.path().join("pairs.tsv"),
        );
        let a2 = format!("{A}!");
        write_input(&input, &[Some(A), Some(B), None, Some(&a2), Some(B), None]);
        let options = DedupOptions {
            batch_rows: 2,
            pairs: Some(pairs.clone()),
            ..DedupOptions::default()
        };
        let report = dedup_parquet(&input, &output, &options, &mut NoProgress).expect("dedup");
        assert_eq!(
            (
                report.rows,
                report.kept,
                report.duplicates,
                report.null_texts
            ),
            (6, 4, 2, 2)
        );
        assert_eq!(read_ids(&output), vec![0, 1, 2, 5]);
        let tsv = std::fs::read_to_string(&pairs).expect("pairs");
        let lines: Vec<&str> = tsv.lines().collect();
        assert_eq!(lines[0], "row\tduplicate_of\tsimilarity");
        assert!(
            lines[1].starts_with("3\t0\t") && lines[2] == "4\t1\t1.000000",
            "{tsv}"
        );
        assert!(
            !dir.path().join("out.signatures.tmp").exists()
                && !dir.path().join("out.parquet.tmp").exists()
        );
    }

    #[test]
    fn a_missing_column_names_the_file_and_the_columns_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (input, output) = (
            dir.path().join("in.parquet"),
            dir.path().join("out.parquet"),
        );
        write_input(&input, &[Some(A)]);
        let options = DedupOptions {
            column: "body".into(),
            ..DedupOptions::default()
        };
        let err = dedup_parquet(&input, &output, &options, &mut NoProgress)
            .expect_err("no column")
            .to_string();
        assert!(
            err.contains("in.parquet") && err.contains("no column `body` (columns: id, text)"),
            "{err}"
        );
        assert!(!output.exists() && !dir.path().join("out.parquet.tmp").exists());
        let err = dedup_parquet(
            &dir.path().join("nope.parquet"),
            &output,
            &DedupOptions::default(),
            &mut NoProgress,
        )
        .expect_err("missing");
        assert!(err.to_string().contains("nope.parquet"), "{err}");
        std::fs::write(&input, b"not parquet").expect("write");
        let err = dedup_parquet(&input, &output, &DedupOptions::default(), &mut NoProgress)
            .expect_err("corrupt");
        assert!(err.to_string().contains("in.parquet: parquet:"), "{err}");
    }
}
