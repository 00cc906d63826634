//! Which fine-tuned encoder retrieves for each task, as `hirelm ask`, `hirelm serve`,
//! `hirelm eval` and `hirelm bench compare` take it: the shipped ones by default (skills and
//! titles each have their own), or one run's encoder for every task.

use std::path::PathBuf;

use clap::Args;
use hirelm_core::Task;
use hirelm_eval::runner::TunedEncoderDirs;

#[derive(Debug, Args)]
pub struct TunedEncoderArgs {
    /// Fine-tuned encoder of every task: the retriever of extract_skills and normalise_title
    /// (in evaluations, the `encoder-nn` predictors and the retriever whose candidates the
    /// language models rerank) [default: the shipped encoder of each task,
    /// shipped/hirelm-encoder-minilm-skills for skills and shipped/hirelm-encoder-minilm for
    /// titles, or $HIRELM_ENCODER_DIR].
    #[arg(long)]
    pub encoder: Option<PathBuf>,
    /// Fine-tuned encoder of extract_skills only (overrides --encoder there).
    #[arg(long)]
    pub skills_encoder: Option<PathBuf>,
    /// Fine-tuned encoder of normalise_title only (overrides --encoder there).
    #[arg(long)]
    pub titles_encoder: Option<PathBuf>,
}

impl TunedEncoderArgs {
    /// The encoder of each task: its own flag, else `--encoder`, else the shipped one.
    pub fn dirs(&self) -> TunedEncoderDirs {
        let pick = |own: &Option<PathBuf>, task: Task| {
            own.clone()
                .or_else(|| self.encoder.clone())
                .unwrap_or_else(|| hirelm_infer::shipped_encoder_dir(task))
        };
        TunedEncoderDirs {
            skills: pick(&self.skills_encoder, Task::ExtractSkills),
            titles: pick(&self.titles_encoder, Task::NormaliseTitle),
        }
    }
}
