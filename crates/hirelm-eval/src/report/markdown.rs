//! The Markdown summary of a run.

use std::fmt::Write;

use super::{EvalReport, SuiteReport};
use crate::gate::Check;

/// A Markdown summary: metrics with intervals, consistency per pack, and the gate's checks.
pub fn to_markdown(report: &SuiteReport, checks: &[Check]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Evaluation: {}\n\nseed {}, gate significance {}, minimum drop {}\n",
        report.suite, report.seed, report.significance, report.min_drop
    );
    if let Some(note) = report.quick_run_note() {
        let _ = writeln!(s, "**{note}**\n");
    }
    for e in &report.evals {
        let _ = writeln!(
            s,
            "## {} ({}, predictor `{}`)\n",
            e.name, e.task, e.predictor
        );
        let _ = writeln!(
            s,
            "{} cases, {} failed outputs. Data: `{}`",
            e.cases, e.failed, e.data
        );
        for n in &e.notes {
            let _ = writeln!(s, "- {n}");
        }
        for f in &e.failure_examples {
            let _ = writeln!(s, "- failure: {f}");
        }
        let _ = writeln!(s, "\n| metric | mean | 95% CI |\n| --- | --- | --- |");
        for (name, m) in &e.metrics {
            let _ = writeln!(
                s,
                "| {name} | {:.4} | {:.4} – {:.4} |",
                m.mean, m.ci95.0, m.ci95.1
            );
        }
        if !e.perturbations.is_empty() {
            let names: Vec<&String> = e.metrics.keys().collect();
            let head: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            // Structured packs add: cases the pack applied to, directional violations, mean score change.
            let structured = e.perturbations.iter().any(|p| p.applicable.is_some());
            let extra = if structured {
                " applicable | violation rate | mean Δscore |"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "\n| pack | expectation | agreement | flip rate | failed |{extra} {} |",
                head.join(" | ")
            );
            let _ = writeln!(
                s,
                "| --- | --- | --- | --- | --- |{}{}",
                if structured { " --- | --- | --- |" } else { "" },
                " --- |".repeat(names.len())
            );
            let opt = |v: Option<f64>, sign: bool| {
                v.map_or("–".to_string(), |v| {
                    if sign {
                        format!("{v:+.4}")
                    } else {
                        format!("{v:.3}")
                    }
                })
            };
            for p in &e.perturbations {
                let vals: Vec<String> = names
                    .iter()
                    .map(|n| {
                        p.metrics
                            .get(*n)
                            .map_or("–".to_string(), |v| format!("{v:.4}"))
                    })
                    .collect();
                let extra = if structured {
                    format!(
                        " {} | {} | {} |",
                        p.applicable.map_or("–".to_string(), |a| a.to_string()),
                        opt(p.violation_rate, false),
                        opt(p.mean_score_delta, true)
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(
                    s,
                    "| {} | {:?} | {:.3} | {:.3} | {} |{extra} {} |",
                    p.pack,
                    p.expectation,
                    p.agreement,
                    p.flip_rate,
                    p.failed,
                    vals.join(" | ")
                );
            }
        }
        if let Some(c) = &e.consistency {
            let acc = if e.task == "score_match" {
                "label accuracy"
            } else {
                "acc@1"
            };
            let spread = c
                .score_spread
                .map_or(String::new(), |v| format!(", score spread {v:.3}"));
            let _ = writeln!(
                s,
                "\nConsistency: mean per-case agreement {:.3}, flip rate {:.3}, {acc} {:.3}, worst-case {acc} {:.3}{spread}\n",
                c.mean_case_agreement, c.flip_rate, c.accuracy, c.worst_case_accuracy
            );
        } else {
            s.push('\n');
        }
        fairness_and_determinism(&mut s, e);
    }
    let _ = writeln!(s, "## Gate\n");
    for c in checks {
        let _ = writeln!(s, "- {}", c.line());
    }
    s
}

/// The determinism line and the name-swap fairness table of an entry.
fn fairness_and_determinism(s: &mut String, e: &EvalReport) {
    if let Some(d) = &e.determinism {
        let yes = |b: bool| if b { "yes" } else { "**NO**" };
        let _ = writeln!(
            s,
            "Determinism (first {} inputs): repeat identical {}, batch identical {}\n",
            d.checked,
            yes(d.repeat_identical),
            yes(d.batch_identical)
        );
    }
    if let Some(l) = &e.latency {
        let cpu = l.cpu_s_per_1000.map_or(String::new(), |c| {
            format!(", {c:.1} CPU s per 1,000 answers")
        });
        let ms = |v: f64| v * 1000.0;
        let tokens = match (
            l.prompt_tokens_mean,
            l.completion_tokens_mean,
            l.tokens_per_s,
        ) {
            (Some(p), Some(c), Some(t)) => format!(
                "; {p:.0} prompt and {c:.0} generated tokens per answer, {t:.1} generated tokens/s"
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "Latency of {} fresh answers: p50 {:.2} ms, p95 {:.2} ms, mean {:.2} ms{cpu}{tokens}\n",
            l.answers,
            ms(l.p50_s),
            ms(l.p95_s),
            ms(l.mean_s)
        );
    }
    let Some(f) = &e.fairness else { return };
    let ratio = f
        .adverse_impact_ratio
        .map_or("undefined (nobody selected)".to_string(), |r| {
            format!("{r:.3}")
        });
    let ci = f.adverse_impact_ci95.map_or(String::new(), |(lo, hi)| {
        format!(" (95% CI {lo:.3} – {hi:.3})")
    });
    let rule = match f.four_fifths_pass {
        Some(true) => "passes the four-fifths rule",
        Some(false) => "**fails the four-fifths rule**",
        None => "four-fifths rule not applicable",
    };
    let _ = writeln!(
        s,
        "Fairness under name_swap: {} pairs ({} cases excluded); adverse-impact ratio {ratio}{ci}, {rule}; label flip rate {:.3}; score gap female − male {:+.4} (95% CI {:+.4} – {:+.4})\n",
        f.pairs,
        f.excluded,
        f.label_flip_rate,
        f.score_gap_female_minus_male,
        f.score_gap_ci95.0,
        f.score_gap_ci95.1
    );
    let _ = writeln!(
        s,
        "| name group | cases | observed selection rate | counterfactual selection rate | mean Δscore when renamed | 95% CI |\n| --- | --- | --- | --- | --- | --- |"
    );
    for g in &f.groups {
        let _ = writeln!(
            s,
            "| {} | {} | {:.3} | {:.3} | {:+.4} | {:+.4} – {:+.4} |",
            g.group,
            g.cases,
            g.observed_selection_rate,
            g.counterfactual_selection_rate,
            g.mean_score_delta,
            g.delta_ci95.0,
            g.delta_ci95.1
        );
    }
    s.push('\n');
}
