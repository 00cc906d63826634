//! `hirelm bench paired`: two entries of one evaluation report compared case by case, with a
//! paired bootstrap interval of each metric's difference, and McNemar's exact test for metrics
//! that are right or wrong per case (see `hirelm_eval::metrics::paired::paired_test`); and the
//! flip rate under each invariant perturbation pack the two entries share, by McNemar's test on
//! the cases both were perturbed on (flipped or kept is right or wrong per case).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use hirelm_eval::metrics::Metric;
use hirelm_eval::metrics::paired::{TestMethod, paired_test};
use hirelm_eval::perturb::{Expectation, Pack};
use hirelm_eval::report::{EvalReport, SuiteReport};

#[derive(Debug, Args)]
pub struct PairedArgs {
    /// An evaluation report (report.json of `hirelm eval`).
    #[arg(long)]
    pub report: PathBuf,
    /// Look the candidate entries up in this report instead (two runs of one suite, e.g. before
    /// and after a change).
    #[arg(long)]
    pub candidate_report: Option<PathBuf>,
    /// `BASELINE:CANDIDATE` entry names on the same cases, e.g. `tech-minilm:tech-encoder`;
    /// repeatable.
    #[arg(long = "pair", required = true)]
    pub pairs: Vec<String>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub level: f64,
    /// Bootstrap resamples.
    #[arg(long, default_value_t = 10_000)]
    pub resamples: usize,
    /// Seed of the resampling (results are reproducible).
    #[arg(long, default_value_t = 17)]
    pub seed: u64,
    /// Perturbation families kept out of the candidate's training (comma-separated, e.g. the
    /// `held_out` of its `consistency.json`): each pack's flip-rate row is labelled held out or
    /// not, and the flips of each group are also tested pooled.
    #[arg(long, value_delimiter = ',')]
    pub held_out: Vec<String>,
}

pub fn run(args: PairedArgs) -> anyhow::Result<()> {
    if !(args.level > 0.0 && args.level < 1.0) || args.resamples == 0 {
        bail!("--level must be between 0 and 1 (e.g. 0.95) and --resamples at least 1");
    }
    for name in &args.held_out {
        // A misspelt family would label every pack "not held out" without a word.
        Pack::parse(name).with_context(|| format!("--held-out {name}"))?;
    }
    let report =
        SuiteReport::read_json(&args.report).with_context(|| args.report.display().to_string())?;
    let candidate_path = args.candidate_report.as_ref().unwrap_or(&args.report);
    let candidates = match &args.candidate_report {
        Some(path) => SuiteReport::read_json(path).with_context(|| path.display().to_string())?,
        None => report.clone(),
    };
    let mut out = format!(
        "Paired differences (candidate − baseline) on the same cases; {:.0}% percentile-bootstrap intervals ({} resamples, seed {}); metrics that are right or wrong per case (such as acc@1) decided by McNemar's exact test at the same level, the others by the interval. A verdict is `better` or `worse` only when significant.\n\n| baseline | candidate | metric | baseline | candidate | difference | {:.0}% interval | p | verdict |\n|---|---|---|---:|---:|---:|---|---:|---|\n",
        args.level * 100.0,
        args.resamples,
        args.seed,
        args.level * 100.0
    );
    let mut pooled: [(Vec<f64>, Vec<f64>); 2] = Default::default();
    for pair in &args.pairs {
        let Some((base_name, cand_name)) = pair.split_once(':') else {
            bail!("--pair {pair}: expected BASELINE:CANDIDATE")
        };
        let find = |from: &'_ SuiteReport, path: &std::path::Path, name: &str| {
            from.evals
                .iter()
                .find(|e| e.name == name)
                .cloned()
                .with_context(|| format!("--pair {pair}: no entry `{name}` in {}", path.display()))
        };
        let (base, cand) = (
            find(&report, &args.report, base_name)?,
            find(&candidates, candidate_path, cand_name)?,
        );
        if base.data != cand.data || base.task != cand.task || base.cases != cand.cases {
            bail!(
                "--pair {pair}: the entries ran on different cases ({} {} × {} against {} {} × {})",
                base.task,
                base.data,
                base.cases,
                cand.task,
                cand.data,
                cand.cases
            );
        }
        for (metric, b) in &base.metrics {
            let Some(c) = cand.metrics.get(metric) else {
                continue;
            };
            // A corpus-level metric (macro-F1, span F1) has no per-case values to pair.
            if b.per_case.is_empty() && c.per_case.is_empty() {
                let _ = writeln!(
                    out,
                    "| {base_name} | {cand_name} | {metric} | {:.4} | {:.4} | {:+.4} | corpus-level: no paired test | | |",
                    b.mean,
                    c.mean,
                    c.mean - b.mean
                );
                continue;
            }
            let higher = Metric::parse(metric)
                .map(Metric::higher_is_better)
                .unwrap_or(true);
            let Some(t) = paired_test(
                &b.per_case,
                &c.per_case,
                higher,
                args.level,
                args.resamples,
                args.seed,
            ) else {
                // A metric undefined on some cases (a rubric Spearman over constant scores) keeps
                // only its defined values, without their case indices: they cannot be paired.
                let _ = writeln!(
                    out,
                    "| {base_name} | {cand_name} | {metric} | {:.4} | {:.4} | {:+.4} | defined on {} and {} cases: no paired test | | |",
                    b.mean,
                    c.mean,
                    c.mean - b.mean,
                    b.per_case.len(),
                    c.per_case.len()
                );
                continue;
            };
            let d = t.difference;
            // A bootstrap p-value of 0 means no resample crossed zero: below 1 / resamples.
            let p = match t.method {
                TestMethod::McNemar if t.p_value < 1e-4 => format!("{:.1e} (McNemar)", t.p_value),
                TestMethod::McNemar => format!("{:.4} (McNemar)", t.p_value),
                TestMethod::Bootstrap if t.p_value > 0.0 => format!("{:.4}", t.p_value),
                TestMethod::Bootstrap => format!("< {:.4}", 1.0 / args.resamples as f64),
            };
            let verdict = t.verdict;
            let _ = writeln!(
                out,
                "| {base_name} | {cand_name} | {metric} | {:.4} | {:.4} | {:+.4} | [{:+.4}, {:+.4}] | {p} | {} |",
                b.mean,
                c.mean,
                d.mean,
                d.ci.0,
                d.ci.1,
                verdict.word()
            );
        }
        for (pack, base_flips, cand_flips) in shared_flips(&base, &cand) {
            let held_out = args.held_out.contains(&pack);
            let label = match (args.held_out.is_empty(), held_out) {
                (true, _) => String::new(),
                (false, true) => ", held out".into(),
                (false, false) => ", not held out".into(),
            };
            let group = &mut pooled[usize::from(held_out)];
            group.0.extend(&base_flips);
            group.1.extend(&cand_flips);
            write_flip_row(
                &mut out,
                &args,
                base_name,
                cand_name,
                &format!("flip rate ({pack}{label}) ↓"),
                &base_flips,
                &cand_flips,
            );
        }
    }
    if !args.held_out.is_empty() {
        for (group, (base, cand)) in ["families not held out", "held-out families"]
            .iter()
            .zip(&pooled)
        {
            if !base.is_empty() {
                write_flip_row(
                    &mut out,
                    &args,
                    "every pair",
                    "every pair",
                    &format!("flip rate ({group}, every case × pack) ↓"),
                    base,
                    cand,
                );
            }
        }
    }
    super::emit(&out)
}

/// Each invariant pack both entries ran, with the flips (1 flipped, 0 kept) of the cases both
/// were perturbed on, in case order.
fn shared_flips(base: &EvalReport, cand: &EvalReport) -> Vec<(String, Vec<f64>, Vec<f64>)> {
    let as_f64 = |flipped: bool| if flipped { 1.0 } else { 0.0 };
    base.perturbations
        .iter()
        .filter(|p| p.expectation == Expectation::Invariant)
        .filter_map(|b| {
            let c = cand.perturbations.iter().find(|c| c.pack == b.pack)?;
            if b.case_flips.len() != c.case_flips.len() {
                return None;
            }
            let (bs, cs) = b
                .case_flips
                .iter()
                .zip(&c.case_flips)
                .filter_map(|(b, c)| Some((as_f64((*b)?), as_f64((*c)?))))
                .unzip();
            Some((b.pack.clone(), bs, cs))
        })
        .collect()
}

/// One table row: McNemar's test of the candidate's flips against the baseline's.
fn write_flip_row(
    out: &mut String,
    args: &PairedArgs,
    base_name: &str,
    cand_name: &str,
    what: &str,
    base: &[f64],
    cand: &[f64],
) {
    let Some(t) = paired_test(base, cand, false, args.level, args.resamples, args.seed) else {
        return;
    };
    let d = t.difference;
    let _ = writeln!(
        out,
        "| {base_name} | {cand_name} | {what}, {} cases | {:.4} | {:.4} | {:+.4} | [{:+.4}, {:+.4}] | {:.2e} (McNemar) | {} |",
        base.len(),
        base.iter().sum::<f64>() / base.len() as f64,
        cand.iter().sum::<f64>() / cand.len() as f64,
        d.mean,
        d.ci.0,
        d.ci.1,
        t.p_value,
        t.verdict.word()
    );
}
