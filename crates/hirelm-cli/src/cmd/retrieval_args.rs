//! The options that say where `hirelm ask` and `hirelm serve` answer by retrieval
//! ([`hirelm_serve::Retrieval`]): by default `extract_skills` ranks ESCO skills and
//! `normalise_title` picks the nearest ESCO occupation, each with the shipped fine-tuned encoder
//! of its task (what the benchmarks measure); `--generate-skills` and `--generate-titles` ask the
//! language model instead, and `--generate-matches` asks it rather than the rule matcher for the
//! matching tasks.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use hirelm_core::Task;
use hirelm_infer::Retriever;
use hirelm_serve::{Retrieval, RuleRoute};

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
        let (mut skills, mut titles) = (None, None);
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
            skills = Some(load(&dirs.skills, docs, "skill", "--generate-skills")?);
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
            titles = Some(load(&dirs.titles, docs, "title", "--generate-titles")?);
        }
        Ok(Retrieval::new(skills, titles, self.top_k))
    }

    /// The tasks the rule-based matcher answers: those shipped/routes.toml gives it, unless
    /// `--generate-matches`.
    pub fn rules(&self, routes: &hirelm_infer::ShippedRoutes) -> RuleRoute {
        RuleRoute::from_routes(routes, self.generate_matches)
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
