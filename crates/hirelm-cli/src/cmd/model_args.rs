//! The model options `hirelm ask` and `hirelm serve` share: base model and adapter.

use std::path::PathBuf;

use clap::Args;
use hirelm_infer::{AdapterSpec, DomainModel, DomainModelBuilder, bundled_adapter_dir};

#[derive(Debug, Args)]
pub struct DomainModelArgs {
    /// Base model: GGUF file, HF directory or hf://owner/repo[/file].
    #[arg(
        long,
        default_value_t = crate::cmd::default_model(hirelm_model::SMOLLM2_GGUF)
    )]
    pub base: String,
    /// PEFT adapter directory (default: the bundled hiring adapter).
    #[arg(long, conflicts_with = "no_adapter")]
    pub adapter: Option<PathBuf>,
    /// Use the untuned base model.
    #[arg(long)]
    pub no_adapter: bool,
}

impl DomainModelArgs {
    /// The base model with the chosen adapter (if any) for every task.
    pub fn build(&self, max_new_tokens: usize) -> hirelm_infer::Result<DomainModel> {
        let mut builder = DomainModelBuilder::new(&self.base).with_max_new_tokens(max_new_tokens);
        if !self.no_adapter {
            let dir = self.adapter.clone().unwrap_or_else(bundled_adapter_dir);
            builder = builder.with_adapter(AdapterSpec {
                name: "adapter".into(),
                dir,
                tasks: None,
            });
        }
        builder.build()
    }
}

/// Where `extract_skills` answers come from in `hirelm ask` and `hirelm serve`: by default the
/// ESCO skills nearest to the sentence under the shipped fine-tuned encoder (ranked retrieval,
/// what the benchmarks measure); `--generate-skills` asks the language model for free labels.
#[derive(Debug, Args)]
pub struct SkillRetrievalArgs {
    /// Sentence encoder that retrieves the skills (default: the shipped fine-tuned encoder,
    /// shipped/hirelm-encoder-minilm, or $HIRELM_ENCODER_DIR).
    #[arg(long)]
    pub encoder: Option<PathBuf>,
    /// ESCO skills to retrieve from (scripts/fetch-data.sh writes it).
    #[arg(long, default_value = "data/esco/esco-1.1.1-labels.csv")]
    pub skills: PathBuf,
    /// Skills per answer.
    #[arg(long, default_value_t = 5)]
    pub top_k: usize,
    /// Answer extract_skills with the language model's free labels instead.
    #[arg(long)]
    pub generate_skills: bool,
}

/// Retrieves ESCO skills for `extract_skills`.
#[derive(Debug)]
pub struct SkillRetrieval {
    pub retriever: hirelm_infer::Retriever,
    pub top_k: usize,
}

impl SkillRetrieval {
    /// The answer to `extract_skills` for `sentence`: `{"skills": [labels, best first]}`, valid
    /// against the task's schema, and the cosine of each.
    pub fn answer(
        &self,
        sentence: &str,
    ) -> hirelm_infer::Result<(serde_json::Value, Vec<hirelm_infer::Hit>)> {
        let hits = self.retriever.search(sentence, self.top_k)?;
        let labels: Vec<&str> = hits.iter().map(|h| h.text.as_str()).collect();
        Ok((serde_json::json!({ "skills": labels }), hits))
    }
}

impl SkillRetrievalArgs {
    /// The retriever, or `None` with `--generate-skills`. ESCO skills are embedded once per
    /// encoder and cached under .cache/hirelm/embeddings.
    pub fn build(&self) -> anyhow::Result<Option<SkillRetrieval>> {
        use anyhow::Context;
        if self.generate_skills {
            return Ok(None);
        }
        let skills = hirelm_curate::encoder_pairs::read_esco_labels(&self.skills)?;
        let docs = skills
            .into_iter()
            .map(|s| {
                (
                    format!("http://data.europa.eu/esco/skill/{}", s.id),
                    hirelm_core::normalise_label(&s.preferred),
                )
            })
            .collect();
        let dir = self
            .encoder
            .clone()
            .unwrap_or_else(hirelm_infer::shipped_encoder_dir);
        let cache = hirelm_eval::baselines::nn::default_cache_dir();
        let retriever = hirelm_infer::Retriever::new(&dir, docs, Some(&cache))
            .with_context(|| format!("loading the skill retriever from {} (train and export one with `hirelm encoder`, or pass --generate-skills)", dir.display()))?;
        Ok(Some(SkillRetrieval {
            retriever,
            top_k: self.top_k.max(1),
        }))
    }
}
