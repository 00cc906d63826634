//! The run report and the dataset card (`card.md`) rendered from it. The card holds no
//! timestamp, so the same recipe gives the same card.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use hirelm_core::Task;

use crate::clean::PiiCounts;
use crate::config::CurateConfig;
use crate::error::CurateError;
use crate::esco::EscoStats;
use crate::pipeline::Shard;
use crate::split::Split;
use crate::tasks::DistantStats;

/// A source file the run read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// Package or repository with version.
    pub name: String,
    /// Licence.
    pub licence: String,
    /// Path as configured.
    pub path: PathBuf,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// Everything a run counted.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Dataset name.
    pub name: String,
    /// Master seed.
    pub seed: u64,
    /// SHA-256 of the canonical config.
    pub config_hash: String,
    /// The shard processed, if any.
    pub shard: Option<Shard>,
    /// Files read.
    pub sources: Vec<SourceInfo>,
    /// ESCO parsing counts by file kind.
    pub esco: BTreeMap<String, EscoStats>,
    /// Named counts, in the order they were taken.
    pub notes: Vec<(String, usize)>,
    /// Examples generated per (task, source).
    pub generated: BTreeMap<(Task, String), usize>,
    /// Distant-supervision counts.
    pub distant: Option<DistantStats>,
    /// PII replaced.
    pub pii: PiiCounts,
    /// Near-dup per task: (candidate pairs, duplicate pairs, clusters, removed).
    pub near_dup: BTreeMap<Task, (usize, usize, usize, usize)>,
    /// Examples removed per evaluation file.
    pub decontam: Vec<(PathBuf, usize)>,
    /// How ESCO occupations found their BLS wage rows, when the matching tasks ran.
    pub market: Option<crate::market::MarketStats>,
    /// Examples written per (task, source, split).
    pub final_counts: BTreeMap<(Task, String, Split), usize>,
}

impl Report {
    /// An empty report for a run of `config`.
    pub fn new(config: &CurateConfig, shard: Option<Shard>) -> Self {
        Report {
            name: config.name.clone(),
            seed: config.seed,
            config_hash: config.hash(),
            shard,
            ..Report::default()
        }
    }

    /// Records a named count.
    pub fn note(&mut self, what: &str, count: usize) {
        self.notes.push((what.to_string(), count));
    }

    /// Examples written for `task` in `split`.
    pub fn count(&self, task: Task, split: Split) -> usize {
        self.final_counts
            .iter()
            .filter(|((t, _, s), _)| *t == task && *s == split)
            .map(|(_, n)| n)
            .sum()
    }

    /// Renders the card.
    pub fn render(&self) -> String {
        let mut md = String::new();
        let w = &mut md;
        let _ = writeln!(w, "# Dataset card: {}\n", self.name);
        let _ = writeln!(w, "- tool: hirelm-curate {}", env!("CARGO_PKG_VERSION"));
        let _ = writeln!(w, "- config sha256: `{}`", self.config_hash);
        let _ = writeln!(w, "- seed: {}", self.seed);
        if let Some(s) = self.shard {
            let _ = writeln!(
                w,
                "- shard: {} of {} (groups with hash % {} == {})",
                s.index, s.count, s.count, s.index
            );
        }
        let _ = writeln!(
            w,
            "- schema: see `hirelm_curate::parquet_io` (id, task, input, target, source, licence, synthetic, seed, group, confidence)\n"
        );
        let _ = writeln!(
            w,
            "## Examples per task and split\n\n| task | train | valid | test |\n| --- | ---: | ---: | ---: |"
        );
        for task in Task::ALL {
            let n: Vec<usize> = Split::ALL.iter().map(|s| self.count(task, *s)).collect();
            let _ = writeln!(w, "| {task} | {} | {} | {} |", n[0], n[1], n[2]);
        }
        let _ = writeln!(
            w,
            "\n## Examples per task, source and split\n\n| task | source | split | examples |\n| --- | --- | --- | ---: |"
        );
        for ((task, source, split), n) in &self.final_counts {
            let _ = writeln!(w, "| {task} | {source} | {} | {n} |", split.name());
        }
        let _ = writeln!(
            w,
            "\n## Sources\n\n| source | licence | file | sha256 |\n| --- | --- | --- | --- |"
        );
        for s in &self.sources {
            let _ = writeln!(
                w,
                "| {} | {} | `{}` | `{}` |",
                s.name,
                s.licence,
                s.path.display(),
                s.sha256
            );
        }
        let _ = writeln!(
            w,
            "\n## Ingest\n\n| ESCO file | rows | label not identified (skipped) | no definition |\n| --- | ---: | ---: | ---: |"
        );
        for (kind, s) in &self.esco {
            let _ = writeln!(
                w,
                "| {kind} | {} | {} | {} |",
                s.rows, s.no_label, s.no_definition
            );
        }
        let _ = writeln!(
            w,
            "\n## Generated before cleaning\n\n| task | source | examples |\n| --- | --- | ---: |"
        );
        for ((task, source), n) in &self.generated {
            let _ = writeln!(w, "| {task} | {source} | {n} |");
        }
        if let Some(d) = &self.distant {
            let _ = writeln!(w, "\n## Distant supervision (SkillSpan train → ESCO)\n");
            let _ = writeln!(
                w,
                "sentences {}, spans {}, spans at or above the threshold {}, sentences labelled {}, negatives (no span) kept {}, negatives over the cap {}, dropped (a span below the threshold) {}",
                d.sentences,
                d.spans,
                d.spans_kept,
                d.labelled,
                d.negatives,
                d.negatives_capped,
                d.dropped_low_confidence
            );
        }
        if let Some(m) = &self.market {
            let _ = writeln!(
                w,
                "\n## Simulated market (score_match, rank_candidates, evaluate_candidate, draft_job_post)\n"
            );
            let _ = writeln!(
                w,
                "ESCO occupation → BLS OEWS wage row (see `hirelm_curate::market::soc_map`): {}; \
                 occupations with too few lexically matched skills (unused) {}; occupations used {} over {} distinct SOC rows. \
                 Each example's `source` names its SOC rows after `#soc=`.",
                m.by_method
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                m.too_few_skills,
                m.usable,
                m.soc_rows
            );
        }
        let _ = writeln!(w, "\n## Cleaning\n\n| step | count |\n| --- | ---: |");
        for (what, n) in &self.notes {
            let _ = writeln!(w, "| {what} | {n} |");
        }
        let p = &self.pii;
        let _ = writeln!(
            w,
            "| PII redacted: emails | {} |\n| PII redacted: phone numbers | {} |\n| PII redacted: URLs | {} |\n| PII redacted: street addresses | {} |",
            p.emails, p.phones, p.urls, p.addresses
        );
        let _ = writeln!(
            w,
            "\n## Near duplicates (MinHash LSH)\n\n| task | candidate pairs | duplicate pairs | clusters | removed |\n| --- | ---: | ---: | ---: | ---: |"
        );
        for (task, (c, d, k, r)) in &self.near_dup {
            let _ = writeln!(w, "| {task} | {c} | {d} | {k} | {r} |");
        }
        let _ = writeln!(
            w,
            "\n## Decontamination\n\n| evaluation file | examples removed |\n| --- | ---: |"
        );
        for (path, n) in &self.decontam {
            let _ = writeln!(w, "| `{}` | {n} |", path.display());
        }
        md
    }
}

/// Writes `card.md` (or `card-IIIII-of-NNNNN.md` for a shard) atomically into `dir`.
pub fn write_card(dir: &Path, report: &Report) -> Result<(), CurateError> {
    let name = match report.shard {
        Some(s) => format!("card-{:05}-of-{:05}.md", s.index, s.count),
        None => "card.md".to_string(),
    };
    let path = dir.join(name);
    hirelm_core::fs::write_atomic(&path, report.render().as_bytes())
        .map_err(|e| CurateError::io(&path, e))
}
