//! One self-contained HTML file with inline SVG charts: per entry, each metric on the original
//! and on every perturbation, and the agreement per pack; then the gate's checks. No scripts, no
//! external assets, so it opens anywhere.

use std::fmt::Write;

use super::{SuiteReport, xml_escape};
use crate::gate::{Check, Status};

const COLOURS: [&str; 6] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1",
];

/// A horizontal grouped bar chart: one group per row label, one bar per series, values in 0..=1.
pub(crate) fn bar_chart(title: &str, rows: &[(String, Vec<f64>)], series: &[String]) -> String {
    let (bar_h, gap, label_w, width) = (12.0, 10.0, 170.0, 420.0);
    let group_h = bar_h * series.len().max(1) as f64 + gap;
    let height = 30.0 + group_h * rows.len() as f64 + 22.0 * series.len() as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\">",
        xml_escape(title),
        label_w + width + 60.0
    );
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let x = label_w + tick * width;
        let _ = write!(
            s,
            "<line x1=\"{x}\" y1=\"20\" x2=\"{x}\" y2=\"{}\" stroke=\"#ddd\"/><text x=\"{x}\" y=\"14\" font-size=\"10\" text-anchor=\"middle\">{tick}</text>",
            20.0 + group_h * rows.len() as f64
        );
    }
    for (r, (label, values)) in rows.iter().enumerate() {
        let y0 = 24.0 + r as f64 * group_h;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y0 + group_h / 2.0,
            xml_escape(label)
        );
        for (i, v) in values.iter().enumerate() {
            let w = v.clamp(0.0, 1.0) * width;
            let y = y0 + i as f64 * bar_h;
            let _ = write!(
                s,
                "<rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"><title>{} {}: {v:.4}</title></rect><text x=\"{:.1}\" y=\"{}\" font-size=\"10\">{v:.3}</text>",
                bar_h - 2.0,
                COLOURS[i % COLOURS.len()],
                xml_escape(label),
                xml_escape(&series[i]),
                label_w + w + 3.0,
                y + bar_h - 3.0
            );
        }
    }
    let legend_y = 30.0 + group_h * rows.len() as f64;
    for (i, name) in series.iter().enumerate() {
        let y = legend_y + i as f64 * 20.0;
        let _ = write!(
            s,
            "<rect x=\"{label_w}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            COLOURS[i % COLOURS.len()],
            label_w + 18.0,
            y + 10.0,
            xml_escape(name)
        );
    }
    s.push_str("</svg></figure>");
    s
}

/// The HTML report.
pub fn to_html(report: &SuiteReport, checks: &[Check]) -> String {
    let mut s = String::from("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    let _ = write!(
        s,
        "<title>hirelm eval: {}</title><style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}.fail{{color:#b00;font-weight:bold}}.ok{{color:#070}}figure{{display:inline-block;margin:0 1em 1em 0;vertical-align:top}}figcaption{{font-weight:bold}}</style></head><body>",
        xml_escape(&report.suite)
    );
    let failed = checks.iter().filter(|c| c.status != Status::Pass).count();
    let verdict = if failed == 0 {
        "<span class=\"ok\">gate passed</span>".to_string()
    } else {
        format!("<span class=\"fail\">gate failed: {failed} checks</span>")
    };
    let _ = write!(
        s,
        "<h1>Evaluation: {}</h1><p>seed {}, significance {}, minimum drop {} — {verdict}</p>",
        xml_escape(&report.suite),
        report.seed,
        report.significance,
        report.min_drop
    );
    if let Some(note) = report.quick_run_note() {
        let _ = write!(s, "<p><strong>{}</strong></p>", xml_escape(&note));
    }
    for e in &report.evals {
        let _ = write!(
            s,
            "<h2>{} <small>({}, predictor <code>{}</code>)</small></h2><p>{} cases, {} failed outputs</p><ul>",
            xml_escape(&e.name),
            xml_escape(&e.task),
            xml_escape(&e.predictor),
            e.cases,
            e.failed
        );
        for n in e.notes.iter().chain(&e.failure_examples) {
            let _ = write!(s, "<li>{}</li>", xml_escape(n));
        }
        s.push_str("</ul>");
        let metrics: Vec<String> = e.metrics.keys().cloned().collect();
        let mut rows = vec![(
            "original".to_string(),
            metrics
                .iter()
                .map(|m| e.metrics[m].mean)
                .collect::<Vec<f64>>(),
        )];
        for p in &e.perturbations {
            rows.push((
                p.pack.clone(),
                metrics
                    .iter()
                    .map(|m| p.metrics.get(m).copied().unwrap_or(0.0))
                    .collect(),
            ));
        }
        s.push_str(&bar_chart("Metric per perturbation", &rows, &metrics));
        if !e.perturbations.is_empty() {
            let agree: Vec<(String, Vec<f64>)> = e
                .perturbations
                .iter()
                .map(|p| (p.pack.clone(), vec![p.agreement]))
                .collect();
            s.push_str(&bar_chart(
                "Top-1 agreement with the original",
                &agree,
                &["agreement".to_string()],
            ));
        }
        if let Some(f) = &e.fairness {
            let rows: Vec<(String, Vec<f64>)> = f
                .groups
                .iter()
                .map(|g| {
                    (
                        g.group.clone(),
                        vec![g.observed_selection_rate, g.counterfactual_selection_rate],
                    )
                })
                .collect();
            s.push_str(&bar_chart(
                "Selection rate (strong or good) by name group",
                &rows,
                &["observed".to_string(), "counterfactual".to_string()],
            ));
            let ratio = f
                .adverse_impact_ratio
                .map_or("undefined".to_string(), |r| format!("{r:.3}"));
            let ci = f.adverse_impact_ci95.map_or(String::new(), |(lo, hi)| {
                format!(" (95% CI {lo:.3}–{hi:.3})")
            });
            let class = if f.four_fifths_pass == Some(false) {
                "fail"
            } else {
                "ok"
            };
            let _ = write!(
                s,
                "<p class=\"{class}\">Adverse-impact ratio {ratio}{ci} over {} name-swapped pairs; four-fifths rule: {}</p>",
                f.pairs,
                match f.four_fifths_pass {
                    Some(true) => "pass",
                    Some(false) => "FAIL",
                    None => "n/a",
                }
            );
        }
        if let Some(d) = &e.determinism {
            let class = if d.repeat_identical && d.batch_identical {
                "ok"
            } else {
                "fail"
            };
            let _ = write!(
                s,
                "<p class=\"{class}\">Determinism (first {} inputs): repeat identical {}, batch identical {}</p>",
                d.checked, d.repeat_identical, d.batch_identical
            );
        }
        if let Some(c) = &e.consistency {
            let _ = write!(
                s,
                "<p>Mean per-case agreement {:.3}, flip rate {:.3}, acc@1 {:.3}, worst-case acc@1 {:.3}</p>",
                c.mean_case_agreement, c.flip_rate, c.accuracy, c.worst_case_accuracy
            );
        }
    }
    s.push_str("<h2>Gate</h2><table><tr><th>entry</th><th>metric</th><th>value</th><th>baseline</th><th>Δ [95% CI]</th><th>p</th><th>threshold</th><th>status</th></tr>");
    for c in checks {
        let opt = |v: Option<f64>| v.map_or(String::from("–"), |v| format!("{v:.4}"));
        let class = if c.status == Status::Pass {
            "ok"
        } else {
            "fail"
        };
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{:.4}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{:?}</td></tr>",
            xml_escape(&c.eval),
            xml_escape(&c.metric),
            c.value,
            opt(c.baseline),
            c.baseline
                .zip(c.difference_ci95)
                .map_or("–".into(), |(b, (lo, hi))| format!(
                    "{:+.4} [{lo:+.4}, {hi:+.4}]",
                    c.value - b
                )),
            opt(c.p_value),
            opt(c.threshold),
            c.status
        );
    }
    s.push_str("</table></body></html>\n");
    s
}
