//! `hirelm bench compare --resume`: a part of a long comparison that was cut off (the end of a
//! job, a reboot) continues where it stopped. Every entry's report is written atomically to
//! `entries/` in the part's output directory as soon as it is answered (so a part committed
//! half-way resumes on another machine); a rerun with `--resume` reuses a
//! report only when it is of the same suite, seed, entry and task and its predictor content
//! hash and case digest equal those of the entry now (`hirelm_eval::runner::entry_identity`:
//! the model and adapter files, decoding settings, demonstrations and crate version; the cases
//! in order). Anything else (no report, an unreadable one, another model or dataset) is
//! answered again. The reused report keeps the speed measured when it ran, and the comparison
//! lists which entries were reused and when.

use std::path::Path;

use hirelm_eval::report::SuiteReport;
use hirelm_eval::runner::{RunOptions, entry_identity};
use hirelm_eval::suite::{EvalSpec, Suite};

/// The report at `path` if it answered `spec` (the only entry of `suite`) as a run under
/// `options` would now, with when it was answered; `None` when the entry must be answered.
pub fn reusable_report(
    path: &Path,
    suite: &Suite,
    spec: &EvalSpec,
    options: &RunOptions,
) -> Option<(SuiteReport, String)> {
    if !path.is_file() {
        return None;
    }
    let report = match SuiteReport::read_json(path) {
        Ok(report) => report,
        Err(e) => {
            tracing::warn!("--resume: {e}; answering {} again", spec.name);
            return None;
        }
    };
    let [eval] = report.evals.as_slice() else {
        return None;
    };
    if report.suite != suite.name
        || report.seed != suite.seed
        || eval.name != spec.name
        || eval.task != spec.task.name()
    {
        return None;
    }
    let (hash, digest) = entry_identity(suite, spec, options).ok()?;
    if eval.predictor_hash != hash || eval.cases_digest != digest {
        tracing::info!(
            "--resume: {} was answered by another predictor or on other cases; answering it again",
            path.display()
        );
        return None;
    }
    // Not the file's time: a checkout rewrites it.
    let finished = match &report.finished {
        Some(time) => format!("answered {time}"),
        None => "answered at a time its report does not record".to_string(),
    };
    Some((report, finished))
}
