//! `hirelm bench fusion`: does the language model add to the tuned encoder when it *scores*
//! the encoder's candidates instead of picking among them? For each validation case the encoder
//! retrieves its top candidates with their cosine scores, the language model scores each one
//! (the mean token log-probability of the candidate as the first skill of its answer,
//! [`hirelm_infer::DomainModel::score_continuations`]; with `--calibrate`, minus the same after a
//! content-free input; with `--choose`, the model reads the sentence *with* the candidates, as
//! [`hirelm_eval::candidate_choice`] trains it to, and each candidate's score is the
//! log-probability of choosing it first), and
//! [`hirelm_eval::rerank_fusion::FusionReport`] fits the weight of the sum on one half of the
//! cases, ranks the other half with it, and compares that with the encoder alone, paired.
//!
//! The per-case scores go to a JSON-lines file as they are computed, so an interrupted run
//! resumes where it stopped; the report is written atomically at the end.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use hirelm_core::Task;
use hirelm_eval::Predictor;
use hirelm_eval::baselines::nn::{MiniLm, NearestNeighbour};
use hirelm_eval::candidate_choice::choice_input;
use hirelm_eval::rerank_fusion::{FusionCandidate, FusionCase, FusionReport};
use hirelm_eval::runner::prepare;
use hirelm_eval::suite::Suite;
use hirelm_model::bert::read_scorer;
use serde_json::{Value, json};

use super::encoder_args::TunedEncoderArgs;
use super::model_args::DomainModelArgs;

/// What the answer of `extract_skills` begins with before its first skill (compact JSON, as
/// the adapters were trained to write it).
const SKILLS_OPENING: &str = "{\"skills\":[\"";

/// The content-free input of `--calibrate`.
const CONTENT_FREE: &str = "N/A";

#[derive(Debug, Args)]
pub struct FusionArgs {
    /// The suite holding the validation entry (never a suite the headline comparison reports).
    #[arg(long, default_value = "eval/routes-valid.toml")]
    pub suite: PathBuf,
    /// Its `extract_skills` entry to fit and measure on.
    #[arg(long, default_value = "skills-dev")]
    pub entry: String,
    /// Encoder candidates the language model scores per case.
    #[arg(long, default_value_t = 10)]
    pub candidates: usize,
    /// At most this many cases (a quick run).
    #[arg(long)]
    pub limit: Option<usize>,
    #[command(flatten)]
    pub model: DomainModelArgs,
    #[command(flatten)]
    pub encoders: TunedEncoderArgs,
    /// Directory for fusion.json, fusion.md and the per-case scores (features.jsonl, reused
    /// by a later run with the same model, encoder and candidates: it resumes).
    #[arg(long, default_value = "benches/results/fusion")]
    pub out: PathBuf,
    /// Bootstrap resamples of the paired tests.
    #[arg(long, default_value_t = 10_000)]
    pub resamples: usize,
    /// Score each candidate by how much the sentence raises its log-probability: minus its
    /// log-probability after a content-free input (`N/A`, as in Zhao et al. 2021, "Calibrate
    /// before use"), which removes the model's prior for short or common labels.
    #[arg(long, conflicts_with = "choose")]
    pub calibrate: bool,
    /// Show the model the candidates with the sentence (`{"candidates": [...], "text": ...}`,
    /// as `hirelm encoder choices` trains it to read) and score each by the log-probability of
    /// choosing it first (summed over the label's tokens; its closing quote is left out, as
    /// the comment in `run` explains).
    #[arg(long)]
    pub choose: bool,
}

pub fn run(args: FusionArgs) -> anyhow::Result<()> {
    if args.candidates < 2 {
        bail!("--candidates must be at least 2 (there is nothing to reorder otherwise)");
    }
    let suite = Suite::load(&args.suite).with_context(|| args.suite.display().to_string())?;
    let Some(spec) = suite.evals.iter().find(|e| e.name == args.entry) else {
        bail!(
            "{}: no entry `{}` (entries: {})",
            args.suite.display(),
            args.entry,
            suite
                .evals
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    if spec.task != Task::ExtractSkills {
        bail!(
            "{}: entry `{}` is {}; fusion reranks extract_skills",
            args.suite.display(),
            args.entry,
            spec.task
        );
    }
    let mut prepared = prepare(spec, suite.seed).with_context(|| args.entry.clone())?;
    if let Some(limit) = args.limit {
        prepared.cases.truncate(limit);
    }
    let encoder_dir = args.encoders.dirs().skills;
    let encoder = MiniLm::load(&encoder_dir).with_context(|| encoder_dir.display().to_string())?;
    let retriever = NearestNeighbour::new(
        &encoder,
        spec.task,
        &prepared.docs,
        100,
        Some(&hirelm_eval::baselines::nn::default_cache_dir()),
    )?
    .with_scorer(read_scorer(&encoder_dir)?);
    let routes = hirelm_infer::ShippedRoutes::shipped()?;
    let model = args.model.build(1, &routes)?;
    let mut header = json!({
        "suite": args.suite, "entry": args.entry, "candidates": args.candidates,
        "model": model.content_hash(), "retriever": retriever.content_hash(),
        "calibrate": args.calibrate,
    });
    // Only when set, so the feature files of earlier runs keep their header.
    if args.choose {
        header["choose"] = Value::Bool(true);
    }
    // Each label's log-probability after the content-free input, computed once.
    let mut priors: HashMap<String, f64> = HashMap::new();
    std::fs::create_dir_all(&args.out).with_context(|| args.out.display().to_string())?;
    let features_path = args.out.join("features.jsonl");
    let mut cases = read_features(&features_path, &header)?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&features_path)
        .with_context(|| features_path.display().to_string())?;
    // A new (or empty) file starts with the header; one holding only the header keeps it.
    if file.metadata()?.len() == 0 {
        writeln!(file, "{header}")?;
    }
    let total = prepared.cases.len();
    for (n, (scored, case)) in cases.iter().zip(&prepared.cases).enumerate() {
        if scored.text != case.text {
            bail!(
                "{} line {}: case {n} is another sentence than the entry's; delete the file or pass another --out",
                features_path.display(),
                n + 2
            );
        }
    }
    let (resumed, started) = (cases.len(), Instant::now());
    for (i, case) in prepared.cases.iter().enumerate().skip(resumed) {
        let mut ranked = retriever
            .search(&case.text)
            .with_context(|| format!("case {i}: retrieving its candidates"))?;
        let rest: Vec<String> = ranked
            .split_off(args.candidates.min(ranked.len()))
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        // Labels are scored open, without their closing quote: the answer's quote is always
        // merged with what follows (`",` or `"]}`), so a bare `"` token is one the model never
        // writes, and scoring it ranked worse (tried with --choose on the first 331 dev cases:
        // the model's own order's MRR 0.526 against 0.593 open). The cost: a label that begins
        // another ("communication", "communication principles") also gets the longer one's
        // mass.
        let continuations: Vec<String> = ranked.iter().map(|(id, _)| json_content(id)).collect();
        let input = match args.choose {
            false => Value::String(case.text.clone()),
            true => {
                let shown: Vec<String> = ranked.iter().map(|(id, _)| id.clone()).collect();
                choice_input(&case.text, &shown)
            }
        };
        let scores: Vec<f64> = model
            .score_continuations(spec.task, &input, SKILLS_OPENING, &continuations)
            .with_context(|| format!("case {i}: scoring its candidates"))?
            .iter()
            .map(|s| match args.choose {
                false => f64::from(s.mean()),
                true => f64::from(s.log_prob),
            })
            .collect();
        let scores = match args.calibrate {
            false => scores,
            true => {
                let unseen: Vec<String> = continuations
                    .iter()
                    .filter(|c| !priors.contains_key(*c))
                    .cloned()
                    .collect();
                if !unseen.is_empty() {
                    let prior = model
                        .score_continuations(
                            spec.task,
                            &Value::String(CONTENT_FREE.into()),
                            SKILLS_OPENING,
                            &unseen,
                        )
                        .with_context(|| format!("case {i}: the candidates' priors"))?;
                    for (label, score) in unseen.into_iter().zip(prior) {
                        priors.insert(label, f64::from(score.mean()));
                    }
                }
                scores
                    .iter()
                    .zip(&continuations)
                    .map(|(score, label)| score - priors[label])
                    .collect()
            }
        };
        let fusion_case = FusionCase {
            text: case.text.clone(),
            gold: case.gold.clone(),
            candidates: ranked
                .into_iter()
                .zip(scores)
                .map(|((id, retriever), lm)| FusionCandidate {
                    id,
                    retriever: f64::from(retriever),
                    lm,
                })
                .collect(),
            rest,
        };
        writeln!(file, "{}", serde_json::to_string(&fusion_case)?)?;
        file.flush()?;
        cases.push(fusion_case);
        if (i + 1) % 50 == 0 {
            let seconds = started.elapsed().as_secs_f64() / (i + 1 - resumed) as f64;
            tracing::info!(
                done = i + 1,
                total,
                seconds_per_case = seconds,
                "fusion scores"
            );
        }
    }
    cases.truncate(total);
    let report = FusionReport::new(&cases, 0.95, args.resamples, suite.seed);
    let md = format!(
        "# Encoder candidates scored by the language model: validation\n\nCommand: `hirelm bench fusion --suite {} --entry {} --candidates {}{}{}{}{}` on {} ({} cases); written {} on {}.\n\n{}",
        args.suite.display(),
        args.entry,
        args.candidates,
        if args.model.no_adapter {
            " --no-adapter"
        } else {
            ""
        },
        if args.calibrate { " --calibrate" } else { "" },
        if args.choose { " --choose" } else { "" },
        args.model
            .adapter
            .as_ref()
            .map(|dir| format!(" --adapter {}", dir.display()))
            .unwrap_or_default(),
        spec.data.display(),
        cases.len(),
        super::compare::utc_now(),
        super::compare::machine(),
        report.markdown("encoder-nn", model.name())
    );
    let json = serde_json::to_vec_pretty(&json!({"header": header, "report": report}))?;
    hirelm_core::fs::write_atomic(&args.out.join("fusion.json"), &json)?;
    hirelm_core::fs::write_atomic(&args.out.join("fusion.md"), md.as_bytes())?;
    print!("{md}");
    println!(
        "[fusion.json, fusion.md and features.jsonl in {}]",
        args.out.display()
    );
    Ok(())
}

/// The cases already scored in `path` by the same model, retriever and candidate count (none
/// when the file does not exist). A torn last line (an interrupted write) is dropped.
fn read_features(path: &Path, header: &Value) -> anyhow::Result<Vec<FusionCase>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| path.display().to_string()),
    };
    let lines: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .collect::<Result<_, _>>()
        .with_context(|| path.display().to_string())?;
    let Some((first, rest)) = lines.split_first() else {
        return Ok(Vec::new());
    };
    let written: Value = serde_json::from_str(first)
        .with_context(|| format!("{} line 1: not a header", path.display()))?;
    if &written != header {
        bail!(
            "{} holds scores of another run ({written}); this run is {header}. Delete it or pass another --out",
            path.display()
        );
    }
    let mut cases = Vec::new();
    for (n, line) in rest.iter().enumerate() {
        match serde_json::from_str::<FusionCase>(line) {
            Ok(case) => cases.push(case),
            Err(_) if n + 1 == rest.len() => {
                // Torn by an interruption: rewrite the file without it, so appends stay whole.
                let mut kept = lines[..=n].join("\n");
                kept.push('\n');
                hirelm_core::fs::write_atomic(path, kept.as_bytes())
                    .with_context(|| path.display().to_string())?;
            }
            Err(e) => bail!("{} line {}: {e}", path.display(), n + 2),
        }
    }
    Ok(cases)
}

/// A label as it appears inside a JSON string (escaped, without the quotes).
fn json_content(label: &str) -> String {
    let quoted = Value::String(label.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_as_json_string_content() {
        assert_eq!(json_content("C++"), "C++");
        assert_eq!(json_content("say \"hi\""), "say \\\"hi\\\"");
    }

    #[test]
    fn features_of_another_run_are_refused_and_a_torn_line_is_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("features.jsonl");
        let header = json!({"model": "a"});
        std::fs::write(&path, "{\"model\":\"b\"}\n").expect("write");
        let e = read_features(&path, &header).expect_err("other run");
        assert!(e.to_string().contains("another run"), "{e}");
        std::fs::write(&path, "{\"model\":\"a\"}\n{\"text\":").expect("write");
        assert!(read_features(&path, &header).expect("torn").is_empty());
        let kept = std::fs::read_to_string(&path).expect("read");
        assert_eq!(kept, "{\"model\":\"a\"}\n");
        assert!(
            read_features(&dir.path().join("none"), &header)
                .expect("absent")
                .is_empty()
        );
    }
}
