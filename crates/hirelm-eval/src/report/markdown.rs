//! The Markdown summary of a run.

use std::fmt::Write;

use super::SuiteReport;
use crate::gate::Check;

/// A Markdown summary: metrics with intervals, consistency per pack, and the gate's checks.
pub fn to_markdown(report: &SuiteReport, checks: &[Check]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Evaluation: {}\n\nseed {}, gate significance {}, minimum drop {}\n", report.suite, report.seed, report.significance, report.min_drop);
    for e in &report.evals {
        let _ = writeln!(s, "## {} ({}, predictor `{}`)\n", e.name, e.task, e.predictor);
        let _ = writeln!(s, "{} cases, {} failed outputs. Data: `{}`", e.cases, e.failed, e.data);
        for n in &e.notes {
            let _ = writeln!(s, "- {n}");
        }
        for f in &e.failure_examples {
            let _ = writeln!(s, "- failure: {f}");
        }
        let _ = writeln!(s, "\n| metric | mean | 95% CI |\n| --- | --- | --- |");
        for (name, m) in &e.metrics {
            let _ = writeln!(s, "| {name} | {:.4} | {:.4} – {:.4} |", m.mean, m.ci95.0, m.ci95.1);
        }
        if !e.perturbations.is_empty() {
            let names: Vec<&String> = e.metrics.keys().collect();
            let head: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            let _ = writeln!(s, "\n| pack | expectation | agreement | flip rate | failed | {} |", head.join(" | "));
            let _ = writeln!(s, "| --- | --- | --- | --- | --- |{}", " --- |".repeat(names.len()));
            for p in &e.perturbations {
                let vals: Vec<String> = names.iter().map(|n| format!("{:.4}", p.metrics.get(*n).copied().unwrap_or(0.0))).collect();
                let _ = writeln!(s, "| {} | {:?} | {:.3} | {:.3} | {} | {} |", p.pack, p.expectation, p.agreement, p.flip_rate, p.failed, vals.join(" | "));
            }
        }
        if let Some(c) = &e.consistency {
            let _ = writeln!(s, "\nConsistency: mean per-case agreement {:.3}, flip rate {:.3}, acc@1 {:.3}, worst-case acc@1 {:.3}\n", c.mean_case_agreement, c.flip_rate, c.accuracy, c.worst_case_accuracy);
        } else {
            s.push('\n');
        }
    }
    let _ = writeln!(s, "## Gate\n");
    for c in checks {
        let _ = writeln!(s, "- {}", c.line());
    }
    s
}
