//! Where `hirelm ask` and `hirelm serve` answer by retrieval: by default `extract_skills` ranks
//! ESCO skills and `normalise_title` picks the nearest ESCO occupation, each with the shipped
//! fine-tuned encoder of its task (what the benchmarks measure); `--generate-skills` and
//! `--generate-titles` ask the language model instead.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use hirelm_core::Task;
use hirelm_infer::{Hit, Retriever};
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub struct RetrievalArgs {
    #[command(flatten)]
    pub encoders: super::encoder_args::TunedEncoderArgs,
    /// ESCO skills that extract_skills retrieves from (scripts/fetch-data.sh writes it).
    #[arg(long, default_value = "data/esco/esco-1.1.1-labels.csv")]
    pub skills: PathBuf,
    /// ESCO occupations that normalise_title retrieves from, by their preferred labels
    /// (scripts/fetch-data.sh writes it).
    #[arg(long, default_value = "data/esco/occupations.csv")]
    pub occupations: PathBuf,
    /// Skills per extract_skills answer.
    #[arg(long, default_value_t = 5)]
    pub top_k: usize,
    /// Answer extract_skills with the language model's free labels instead.
    #[arg(long)]
    pub generate_skills: bool,
    /// Answer normalise_title with the language model instead.
    #[arg(long)]
    pub generate_titles: bool,
    /// Answer score_match and rank_candidates with the language model instead of the
    /// rule-based matcher that shipped/routes.toml gives them.
    #[arg(long)]
    pub generate_matches: bool,
}

/// The retrievers of the tasks answered by retrieval.
#[derive(Debug, Default)]
pub struct Retrieval {
    skills: Option<Retriever>,
    titles: Option<Retriever>,
    top_k: usize,
}

impl RetrievalArgs {
    /// The retrievers of those of `tasks` that shipped/routes.toml gives the encoder and that
    /// no `--generate-*` flag leaves to the language model. Documents are
    /// embedded once per encoder and cached under .cache/hirelm/embeddings.
    pub fn build(
        &self,
        tasks: &[Task],
        routes: &hirelm_infer::ShippedRoutes,
    ) -> anyhow::Result<Retrieval> {
        let by_encoder = |t: Task| routes.answerer(t) == hirelm_infer::Answerer::Encoder;
        let tasks: Vec<Task> = tasks.iter().copied().filter(|&t| by_encoder(t)).collect();
        let dirs = self.encoders.dirs();
        let mut retrieval = Retrieval {
            top_k: self.top_k.max(1),
            ..Retrieval::default()
        };
        if tasks.contains(&Task::ExtractSkills) && !self.generate_skills {
            let docs = hirelm_curate::encoder_pairs::read_esco_labels(&self.skills)?
                .into_iter()
                .map(|s| {
                    (
                        format!("http://data.europa.eu/esco/skill/{}", s.id),
                        hirelm_core::normalise_label(&s.preferred),
                    )
                })
                .collect();
            retrieval.skills = Some(load(&dirs.skills, docs, "skill", "--generate-skills")?);
        }
        if tasks.contains(&Task::NormaliseTitle) && !self.generate_titles {
            let (occupations, _) = hirelm_curate::esco::read_concepts(&self.occupations, None)?;
            // The file also lists the ISCO groups above the occupations; a title maps to an
            // occupation.
            let docs = occupations
                .into_iter()
                .filter(|o| o.uri.contains("/esco/occupation/"))
                .map(|o| (o.uri, o.label))
                .collect();
            retrieval.titles = Some(load(&dirs.titles, docs, "title", "--generate-titles")?);
        }
        Ok(retrieval)
    }

    /// The tasks the rule-based matcher answers: those shipped/routes.toml gives it, unless
    /// `--generate-matches`.
    pub fn rules(&self, routes: &hirelm_infer::ShippedRoutes) -> super::rule_route::RuleRoute {
        super::rule_route::RuleRoute::from_routes(routes, self.generate_matches)
    }
}

fn load(
    dir: &Path,
    docs: Vec<(String, String)>,
    what: &str,
    instead: &str,
) -> anyhow::Result<Retriever> {
    let cache = hirelm_eval::baselines::nn::default_cache_dir();
    Retriever::new(dir, docs, Some(&cache)).with_context(|| {
        format!(
            "loading the {what} retriever from {} (train and export one with `hirelm encoder`, or pass {instead})",
            dir.display()
        )
    })
}

impl Retrieval {
    /// The answer to `task` for `text` when retrieval answers it: valid against the task's
    /// schema, with the hits it came from (best first). `extract_skills`:
    /// `{"skills": [labels]}`; `normalise_title`: `{"esco_uri", "label"}` of the nearest
    /// occupation.
    pub fn answer(&self, task: Task, text: &str) -> Option<anyhow::Result<(Value, Vec<Hit>)>> {
        match task {
            Task::ExtractSkills => {
                let retriever = self.skills.as_ref()?;
                Some(
                    retriever
                        .search(text, self.top_k)
                        .map(|hits| {
                            let labels: Vec<&str> = hits.iter().map(|h| h.text.as_str()).collect();
                            (json!({ "skills": labels }), hits)
                        })
                        .map_err(Into::into),
                )
            }
            Task::NormaliseTitle => {
                let retriever = self.titles.as_ref()?;
                Some((|| {
                    let hits = retriever.search(text, 1)?;
                    let best = hits.first().context("no occupation retrieved")?;
                    let value = json!({ "esco_uri": best.id, "label": best.text });
                    Ok((value, hits))
                })())
            }
            _ => None,
        }
    }

    /// The encoder `POST /v1/embeddings` serves: the titles encoder (trained for pooled cosine,
    /// like every sentence-transformers model), else the skills encoder; `None` when both tasks
    /// were left to the language model.
    pub fn embedder(&self) -> Option<&hirelm_model::bert::SentenceEncoder> {
        self.titles
            .as_ref()
            .or(self.skills.as_ref())
            .map(Retriever::encoder)
    }

    /// What the answer to `task` was retrieved from, for a log line: "N ESCO skills".
    pub fn source(&self, task: Task) -> Option<String> {
        match task {
            Task::ExtractSkills => Some(format!("{} ESCO skills", self.skills.as_ref()?.len())),
            Task::NormaliseTitle => {
                Some(format!("{} ESCO occupations", self.titles.as_ref()?.len()))
            }
            _ => None,
        }
    }
}
