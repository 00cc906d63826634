//! A [`Comparison`] as Markdown (`compare.md`, and the block the README carries between
//! `<!-- compare:begin -->` and `<!-- compare:end -->`) and as one self-contained HTML page
//! with SVG charts. Every table is built once ([`Table`]) and written in both formats.

use std::fmt::Write;

pub use super::claim_table::bar_table;
pub use super::readme_block::{README_BEGIN, README_END, splice_readme};
pub use super::table::Table;
use super::{Comparison, EntryResult, first_seen};
use crate::report::xml_escape;

fn num(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.3}"))
}

pub(super) fn usd(v: Option<f64>) -> String {
    match v {
        None => "–".to_string(),
        // Below the kernel's 10 ms CPU-time tick over the whole entry.
        Some(0.0) => "≈$0".to_string(),
        Some(v) if v >= 0.01 => format!("${v:.3}"),
        Some(v) => format!("${v:.2e}"),
    }
}

/// Entries (`suite/entry`, task) in first-seen order.
fn entries(c: &Comparison) -> Vec<(String, String)> {
    // An entry has one task, so (label, task) pairs repeat exactly when labels do.
    first_seen(c.results.iter().map(|r| (r.label(), r.task.clone())))
}

fn find<'a>(c: &'a Comparison, label: &str, predictor: &str) -> Option<&'a EntryResult> {
    c.results
        .iter()
        .find(|r| r.label() == label && r.predictor == predictor)
}

/// Predictors that ran at least one entry, in column order.
fn columns(c: &Comparison) -> Vec<String> {
    c.predictors
        .iter()
        .filter(|p| c.results.iter().any(|r| &r.predictor == *p))
        .cloned()
        .collect()
}

/// Quality: one row per entry and metric, one column per predictor.
pub fn quality_table(c: &Comparison) -> Table {
    let cols = columns(c);
    let mut rows = Vec::new();
    for (label, task) in entries(c) {
        // A metric's direction is fixed by its name, so (name, direction) pairs repeat with names.
        let metrics = c
            .results
            .iter()
            .filter(|r| r.label() == label)
            .flat_map(|r| {
                r.metrics
                    .iter()
                    .map(|(m, v)| (m.clone(), v.higher_is_better))
            });
        for (metric, higher) in first_seen(metrics) {
            let arrow = if higher { "↑" } else { "↓" };
            let mut row = vec![label.clone(), task.clone(), format!("{metric} {arrow}")];
            row.extend(
                cols.iter()
                    .map(|p| num(find(c, &label, p).and_then(|r| r.metric(&metric)))),
            );
            rows.push(row);
        }
    }
    let mut header = vec!["entry".to_string(), "task".into(), "metric".into()];
    header.extend(cols);
    Table {
        title: "Quality on the original inputs".into(),
        header,
        rows,
    }
}

/// Consistency and fairness: flip rate under the invariant packs, worst-case accuracy, score
/// spread, directional violations and the adverse-impact ratio, one column per predictor.
pub fn consistency_table(c: &Comparison) -> Table {
    let cols = columns(c);
    type Getter = fn(&EntryResult) -> Option<String>;
    let measures: [(&str, Getter); 5] = [
        ("invariant flip rate ↓", |r| {
            r.invariant_flip_rate.map(|v| format!("{v:.3}"))
        }),
        ("worst-case accuracy ↑", |r| {
            r.worst_case_accuracy.map(|v| format!("{v:.3}"))
        }),
        ("score spread ↓", |r| {
            r.score_spread.map(|v| format!("{v:.3}"))
        }),
        ("directional violations ↓", |r| {
            r.directional_violation_rate.map(|v| format!("{v:.3}"))
        }),
        ("adverse-impact ratio (≥ 0.8)", |r| {
            r.adverse_impact_ratio.map(|(v, ci)| match ci {
                Some((lo, hi)) => format!("{v:.3} [{lo:.2}–{hi:.2}]"),
                None => format!("{v:.3}"),
            })
        }),
    ];
    let mut rows = Vec::new();
    for (label, task) in entries(c) {
        for (name, get) in measures {
            let cells: Vec<String> = cols
                .iter()
                .map(|p| {
                    find(c, &label, p)
                        .and_then(get)
                        .unwrap_or_else(|| "–".into())
                })
                .collect();
            if cells.iter().any(|v| v != "–") {
                let mut row = vec![label.clone(), task.clone(), name.to_string()];
                row.extend(cells);
                rows.push(row);
            }
        }
    }
    let mut header = vec!["entry".to_string(), "task".into(), "measure".into()];
    header.extend(cols);
    Table {
        title: "Consistency and fairness under the perturbation packs".into(),
        header,
        rows,
    }
}

/// Speed and cost of the fresh answers, one row per entry and predictor.
pub fn cost_table(c: &Comparison) -> Table {
    let mut header: Vec<String> = [
        "entry",
        "predictor",
        "answers",
        "p50 s",
        "p95 s",
        "tokens/s",
        "tokens in / out",
        "CPU-s per 1k",
        "CPU $ per 1k",
    ]
    .map(String::from)
    .into();
    header.extend(c.api_prices.iter().map(|a| format!("{} $ per 1k", a.name)));
    let mut rows = Vec::new();
    for r in &c.results {
        let Some(l) = &r.latency else {
            rows.push(vec![r.label(), r.predictor.clone(), "cached".into()]);
            continue;
        };
        let tokens = match (
            l.prompt_tokens_mean,
            l.completion_tokens_mean,
            l.answers_with_tokens,
        ) {
            // Failed answers report no tokens: say how many the means (and API prices) cover.
            (Some(p), Some(o), Some(k)) if k < l.answers => {
                format!("{p:.0} / {o:.0} ({k} of {} answers)", l.answers)
            }
            (Some(p), Some(o), _) => format!("{p:.0} / {o:.0}"),
            _ => "–".into(),
        };
        let mut row = vec![
            r.label(),
            r.predictor.clone(),
            l.answers.to_string(),
            format!("{:.4}", l.p50_s),
            format!("{:.4}", l.p95_s),
            l.tokens_per_s.map_or("–".into(), |t| format!("{t:.1}")),
            tokens,
            l.cpu_s_per_1000.map_or("–".into(), |s| format!("{s:.1}")),
            usd(r.cpu_usd_per_1000),
        ];
        row.extend(
            c.api_prices
                .iter()
                .map(|a| usd(r.api_usd_per_1000.get(&a.name).copied())),
        );
        rows.push(row);
    }
    for row in &mut rows {
        row.resize(header.len(), String::new());
    }
    Table {
        title: "Speed and cost per 1,000 tasks (fresh answers on this machine)".into(),
        header,
        rows,
    }
}

fn preamble(c: &Comparison) -> String {
    let mut s = format!(
        "Command: `{}` ({}).\nMachine: {}. Versions: {}.\nCPU price: ${}/core-hour ({}, {}). ",
        c.command,
        c.generated,
        c.machine,
        c.versions,
        c.cpu_price.cpu_core_hour_usd,
        c.cpu_price.source,
        c.cpu_price.date
    );
    let apis: Vec<String> = c
        .api_prices
        .iter()
        .map(|a| {
            format!(
                "{} ${}/${} per million tokens in/out ({}, {})",
                a.name, a.input_usd_per_mtok, a.output_usd_per_mtok, a.source, a.date
            )
        })
        .collect();
    if !apis.is_empty() {
        let _ = write!(
            s,
            "Hosted APIs, priced on the same prompts and answers counted in each model's own tokens: {}.",
            apis.join("; ")
        );
    }
    s.push('\n');
    if let Some(limit) = c.limit {
        let _ = writeln!(
            s,
            "\n**Quick run**: at most {limit} cases per entry (`--limit`); suites were cut, so fewer differences are significant."
        );
    }
    if c.bar.is_some() {
        let _ = writeln!(
            s,
            "\nEach claim check is a paired test on the same cases (McNemar's exact test for per-case right/wrong and flipped/kept answers, a {:.0} % bootstrap interval of the mean difference otherwise, {} resamples, seed {}). Against an untuned model a check holds only when the tuned model is significantly better; against the larger model it holds unless the tuned model is significantly worse. Otherwise it is undecided.",
            super::verdict::LEVEL * 100.0,
            super::verdict::RESAMPLES,
            super::verdict::SEED
        );
    }
    if let Some(v) = &c.bar
        && let Some(larger) = v.bar.larger.as_deref()
        && !v.larger_ran
    {
        let _ = writeln!(
            s,
            "\nThe larger off-the-shelf model `{larger}` did not run: its checks are missing, not passed."
        );
    }
    if let Some(v) = &c.bar {
        for untuned in v
            .bar
            .untuned_predictors()
            .filter(|name| !v.checks.iter().any(|k| k.versus == *name))
        {
            let _ = writeln!(
                s,
                "\nThe untuned model `{untuned}` did not run beside `{}`: its checks are missing, not passed.",
                v.bar.tuned
            );
        }
    }
    if let Some(routed) = &c.routed {
        let _ = writeln!(s, "\n{}", routed.describe());
    }
    if let Some(line) = candidate_sources(c) {
        let _ = writeln!(s, "\n{line}");
    }
    if !c.resumed.is_empty() {
        let _ = writeln!(
            s,
            "\nReused from an earlier run of the same part (`--resume`: same predictor content hash, cases and seed), with its measured speed: {}.",
            c.resumed.join("; ")
        );
    }
    if !c.skipped.is_empty() {
        let _ = writeln!(s, "\nNot applicable: {}.", c.skipped.join("; "));
    }
    if !c.failed.is_empty() {
        let _ = writeln!(
            s,
            "\n**Failed runs** (no figures): {}.",
            c.failed.join("; ")
        );
    }
    s
}

/// The tables with rows (a comparison without perturbation packs has no consistency table).
/// One line naming the retriever each language model reranked on the retrieval tasks, so a
/// reader can tell an off-the-shelf system from a reranker of the tuned encoder.
fn candidate_sources(c: &Comparison) -> Option<String> {
    let mut by_predictor: Vec<(&str, &str)> = Vec::new();
    for row in &c.results {
        if let Some(source) = row.candidates_from {
            let pair = (row.predictor.as_str(), source.predictor());
            if !by_predictor.contains(&pair) {
                by_predictor.push(pair);
            }
        }
    }
    if by_predictor.is_empty() {
        return None;
    }
    let pairs: Vec<String> = by_predictor
        .iter()
        .map(|(predictor, source)| format!("`{predictor}` those of `{source}`"))
        .collect();
    Some(format!(
        "On the retrieval tasks each language model reranks a retriever's top candidates: {}.",
        pairs.join(", ")
    ))
}

fn tables(c: &Comparison) -> Vec<Table> {
    let mut out = vec![quality_table(c), consistency_table(c)];
    out.extend(bar_table(c));
    out.push(cost_table(c));
    out.retain(|t| !t.rows.is_empty());
    out
}

/// `compare.md`, and the README block (the same text).
pub fn to_markdown(c: &Comparison) -> String {
    let mut s = preamble(c);
    for t in tables(c) {
        s.push('\n');
        s.push_str(&t.markdown());
    }
    s
}

/// The HTML page: charts of each quality metric and the flip rate per predictor, then every
/// table.
pub fn to_html(c: &Comparison) -> String {
    let mut s = String::from("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    let _ = write!(
        s,
        "<title>hirelm compare: {}</title><style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;color:#222}}table{{border-collapse:collapse;margin-bottom:1em}}td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}figure{{display:inline-block;margin:0 1em 1em 0;vertical-align:top}}figcaption{{font-weight:bold}}</style></head><body>",
        xml_escape(&c.name)
    );
    let _ = write!(
        s,
        "<h1>hirelm: fine-tuned versus off-the-shelf</h1><p>{}</p>",
        xml_escape(&preamble(c)).replace('\n', "<br>")
    );
    for (label, _) in entries(c) {
        // Only the predictors that answered this entry: a missing one is not a zero.
        let cols: Vec<String> = columns(c)
            .into_iter()
            .filter(|p| find(c, &label, p).is_some())
            .collect();
        let metrics = c
            .results
            .iter()
            .filter(|r| r.label() == label)
            .flat_map(|r| {
                r.metrics
                    .iter()
                    .filter(|(_, v)| v.higher_is_better)
                    .map(|(m, _)| m.clone())
            });
        let rows: Vec<(String, Vec<f64>)> = first_seen(metrics)
            .into_iter()
            .map(|m| {
                let values = cols
                    .iter()
                    .map(|p| find(c, &label, p).and_then(|r| r.metric(&m)).unwrap_or(0.0))
                    .collect();
                (m, values)
            })
            .collect();
        let mut chart_rows = rows;
        let flips: Vec<f64> = cols
            .iter()
            .map(|p| {
                find(c, &label, p)
                    .and_then(|r| r.invariant_flip_rate)
                    .unwrap_or(0.0)
            })
            .collect();
        if flips.iter().any(|f| *f > 0.0) {
            chart_rows.push(("invariant flip rate (lower is better)".into(), flips));
        }
        s.push_str(&crate::report::bar_chart(&label, &chart_rows, &cols));
    }
    for t in tables(c) {
        s.push_str(&t.html());
    }
    s.push_str("</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_readable_at_every_scale() {
        assert_eq!(
            (usd(Some(1.5)), usd(Some(0.000123)), usd(None)),
            (
                "$1.500".to_string(),
                "$1.23e-4".to_string(),
                "–".to_string()
            )
        );
        assert_eq!(usd(Some(0.0)), "≈$0");
    }
}
