//! `metrics.jsonl`, one JSON object per step, shared by every kind of run: appended as steps
//! finish, and cut back to a checkpoint's step when a run resumes (the steps after it are redone).

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{LoraError, Result};

fn fail(path: &Path, e: impl std::fmt::Display) -> LoraError {
    LoraError::Checkpoint {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Appends `report` as one line.
pub(super) fn append_metrics(path: &Path, report: &impl Serialize) -> Result<()> {
    let line = serde_json::to_string(report).map_err(|e| fail(path, e))?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| fail(path, e))?;
    writeln!(file, "{line}").map_err(|e| fail(path, e))
}

/// Keeps only the lines whose `step` is at most `step`.
pub(super) fn truncate_metrics(path: &Path, step: usize) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .and_then(|v| v["step"].as_u64())
                .is_some_and(|s| s as usize <= step)
        })
        .collect();
    let text = kept.join("\n") + if kept.is_empty() { "" } else { "\n" };
    hirelm_core::fs::write_atomic(path, text.as_bytes()).map_err(|e| fail(path, e))
}
