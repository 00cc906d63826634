//! Curated dataset files (`hirelm curate` → `datasets/<name>/{train,valid,test}.parquet`) as
//! evaluation data: the suite format `hirelm_parquet`.
//!
//! Only the columns `task`, `input` and `target` (Utf8, JSON text) are read, so a file with
//! more or fewer provenance columns still loads, and a bad row is counted rather than fatal;
//! `hirelm-curate`'s `parquet_io.rs` (which documents the full schema) reads whole files
//! strictly, schema and all, to resume and check a curation run.
//!
//! Rows of other tasks are skipped and counted; a row of the entry's task whose `input` or
//! `target` is not JSON, or whose target does not have the task's answer shape, is skipped and
//! counted too, with the first reasons kept for the report. A missing file or column is an error
//! naming the file.

use std::fs::File;
use std::path::Path;

use arrow_array::{Array, RecordBatch, StringArray};
use hirelm_core::Task;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use crate::io::{MatchOutput, parse_match};
use crate::{EvalError, Result};

/// One example of the entry's task.
#[derive(Debug, Clone, PartialEq)]
pub struct CuratedRow {
    /// The input, as the model sees it.
    pub input: Value,
    /// The reference answer.
    pub target: Value,
}

/// The rows of one task read from a dataset file.
#[derive(Debug, Clone, Default)]
pub struct CuratedSet {
    /// Usable rows of the task, in file order.
    pub rows: Vec<CuratedRow>,
    /// Rows in the file.
    pub total_rows: usize,
    /// Rows of other tasks.
    pub other_tasks: usize,
    /// Rows of the task that were skipped, and up to 5 reasons (`row N: ...`).
    pub bad_rows: usize,
    /// The first reasons rows were skipped.
    pub bad_examples: Vec<String>,
}

fn strings<'a>(batch: &'a RecordBatch, name: &str, path: &Path) -> Result<&'a StringArray> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
        .ok_or_else(|| {
            EvalError::parse(
                path,
                0,
                name,
                "column is missing or not Utf8 (expected a hirelm curated dataset file)",
            )
        })
}

/// Checks a target's answer shape for tasks the runner scores structurally.
fn check_target(task: Task, target: &Value) -> std::result::Result<(), String> {
    match task {
        Task::ScoreMatch => parse_match(&target.to_string())
            .map(|_: MatchOutput| ())
            .map_err(|e| e.to_string()),
        Task::RankCandidates
        | Task::EvaluateCandidate
        | Task::DraftJobPost
        | Task::ScheduleInterview => hirelm_core::validate(task, target).map_err(|e| e.to_string()),
        Task::ExtractSkills | Task::NormaliseTitle => Ok(()),
    }
}

/// Reads the rows of `task` from the curated Parquet file at `path`.
pub fn load_curated(path: &Path, task: Task) -> Result<CuratedSet> {
    let file = File::open(path).map_err(|e| EvalError::io(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| {
            EvalError::parse(path, 0, "file", format!("not a readable Parquet file: {e}"))
        })?;
    let mut set = CuratedSet::default();
    for batch in reader {
        let batch =
            batch.map_err(|e| EvalError::parse(path, set.total_rows + 1, "file", e.to_string()))?;
        let (tasks, inputs, targets) = (
            strings(&batch, "task", path)?,
            strings(&batch, "input", path)?,
            strings(&batch, "target", path)?,
        );
        for i in 0..batch.num_rows() {
            set.total_rows += 1;
            let row = set.total_rows;
            if tasks.is_null(i) || tasks.value(i) != task.name() {
                set.other_tasks += 1;
                continue;
            }
            let parsed = (|| {
                let field = |col: &StringArray, name: &str| -> std::result::Result<Value, String> {
                    if col.is_null(i) {
                        return Err(format!("`{name}` is null"));
                    }
                    serde_json::from_str(col.value(i))
                        .map_err(|e| format!("`{name}` is not JSON: {e}"))
                };
                let (input, target) = (field(inputs, "input")?, field(targets, "target")?);
                check_target(task, &target).map_err(|e| format!("`target`: {e}"))?;
                Ok::<_, String>(CuratedRow { input, target })
            })();
            match parsed {
                Ok(r) => set.rows.push(r),
                Err(reason) => {
                    set.bad_rows += 1;
                    if set.bad_examples.len() < 5 {
                        set.bad_examples.push(format!("row {row}: {reason}"));
                    }
                }
            }
        }
    }
    Ok(set)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use arrow_array::ArrayRef;
    use parquet::arrow::ArrowWriter;

    use super::*;

    /// Writes a Parquet file with Utf8 columns `task`, `input`, `target` (a test fixture in the
    /// curated layout).
    pub(crate) fn write_fixture(path: &Path, rows: &[(&str, &str, &str)]) {
        let col = |k: usize| -> ArrayRef {
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| [r.0, r.1, r.2][k]),
            ))
        };
        let batch =
            RecordBatch::try_from_iter([("task", col(0)), ("input", col(1)), ("target", col(2))])
                .expect("batch");
        let mut w = ArrowWriter::try_new(File::create(path).expect("create"), batch.schema(), None)
            .expect("writer");
        w.write(&batch).expect("write");
        w.close().expect("close");
    }

    #[test]
    fn reads_the_task_rows_and_counts_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.parquet");
        let good = r#"{"label":"good","score":0.7,"components":{}}"#;
        write_fixture(
            &path,
            &[
                ("score_match", r#"{"a":1}"#, good),
                ("extract_skills", r#"{"text":"x"}"#, r#"{"skills":[]}"#),
                ("score_match", "{not json", good),
                (
                    "score_match",
                    r#"{"a":2}"#,
                    r#"{"label":"great","score":0.7}"#,
                ),
                ("score_match", r#"{"a":3}"#, good),
            ],
        );
        let set = load_curated(&path, Task::ScoreMatch).expect("loads");
        assert_eq!(set.rows.len(), 2);
        assert_eq!(set.rows[1].input["a"], 3);
        assert_eq!((set.total_rows, set.other_tasks, set.bad_rows), (5, 1, 2));
        assert!(
            set.bad_examples[0].starts_with("row 3: `input` is not JSON"),
            "{:?}",
            set.bad_examples
        );
        assert!(
            set.bad_examples[1].contains("row 4") && set.bad_examples[1].contains("great"),
            "{:?}",
            set.bad_examples
        );
    }

    #[test]
    fn targets_of_the_json_tasks_must_fit_their_schema() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.parquet");
        write_fixture(
            &path,
            &[
                (
                    "schedule_interview",
                    r#"{"a":1}"#,
                    r#"{"slots":[{"start":"s","end":"e"}]}"#,
                ),
                (
                    "schedule_interview",
                    r#"{"a":2}"#,
                    r#"{"slots":[{"start":"s"}]}"#,
                ),
            ],
        );
        let set = load_curated(&path, Task::ScheduleInterview).expect("loads");
        assert_eq!((set.rows.len(), set.bad_rows), (1, 1));
        assert!(
            set.bad_examples[0].starts_with("row 2: `target`")
                && set.bad_examples[0].contains("end"),
            "{:?}",
            set.bad_examples
        );
    }

    #[test]
    fn missing_files_and_columns_name_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("none.parquet");
        assert!(
            load_curated(&missing, Task::ScoreMatch)
                .unwrap_err()
                .to_string()
                .contains("none.parquet")
        );
        let path = dir.path().join("cols.parquet");
        let batch = RecordBatch::try_from_iter([(
            "task",
            Arc::new(StringArray::from(vec!["score_match"])) as ArrayRef,
        )])
        .expect("batch");
        let mut w =
            ArrowWriter::try_new(File::create(&path).expect("create"), batch.schema(), None)
                .expect("writer");
        w.write(&batch).expect("write");
        w.close().expect("close");
        let err = load_curated(&path, Task::ScoreMatch)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cols.parquet") && err.contains("`input`"),
            "{err}"
        );
        let text = dir.path().join("text.parquet");
        std::fs::write(&text, "hello").expect("write");
        assert!(
            load_curated(&text, Task::ScoreMatch)
                .unwrap_err()
                .to_string()
                .contains("text.parquet")
        );
    }
}
