//! `hirelm ask`: answer one hiring task with the domain model; prints schema-valid JSON.

use anyhow::Context;
use clap::Args;
use hirelm_core::Task;

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The task: draft_job_post, extract_skills, normalise_title, score_match, rank_candidates,
    /// schedule_interview or evaluate_candidate.
    pub task: String,
    /// The input: a JSON object, array or string, `@FILE` to read one, or plain text (anything
    /// else, including bare numbers, is taken as text).
    pub input: String,
    #[command(flatten)]
    pub model: super::model_args::DomainModelArgs,
    #[command(flatten)]
    pub retrieval: super::retrieval_args::RetrievalArgs,
    /// Token budget of the answer.
    #[arg(long, default_value_t = 256)]
    pub max_new_tokens: usize,
}

pub fn run(args: AskArgs) -> anyhow::Result<()> {
    let task: Task = args.task.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let text = match args.input.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?,
        None => args.input.clone(),
    };
    let input = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(
            value @ (serde_json::Value::Object(_)
            | serde_json::Value::Array(_)
            | serde_json::Value::String(_)),
        ) => value,
        _ => serde_json::Value::String(text),
    };
    // Read once: who answers the task, and the adapters if the language model does.
    let routes = hirelm_infer::ShippedRoutes::shipped()?;
    let retrieval = args.retrieval.build(&[task], &routes)?;
    if let Some(answer) = retrieval.answer(task, text_input(task, &input)?) {
        let (value, hits) = answer?;
        let scores: Vec<String> = hits.iter().map(|h| format!("{:.3}", h.score)).collect();
        eprintln!(
            "retrieved by the sentence encoder among {} · scores {}",
            retrieval.source(task).unwrap_or_default(),
            scores.join(", ")
        );
        return super::emit(&format!("{}\n", serde_json::to_string_pretty(&value)?));
    }
    if let Some(answer) = args.retrieval.rules(&routes).answer(task, &input) {
        let value = answer.map_err(|e| anyhow::anyhow!("{task} input: {e}"))?;
        eprintln!(
            "answered by the rule-based matcher (shipped/routes.toml; --generate-matches asks the language model)"
        );
        return super::emit(&format!("{}\n", serde_json::to_string_pretty(&value)?));
    }
    let model = args.model.build(args.max_new_tokens, &routes)?;
    let answer = model.answer(task, &input)?;
    let d = &answer.decoded;
    eprintln!(
        "{} · {} prompt tokens in {:.2}s · {} new tokens at {:.1} tokens/s",
        answer.route,
        d.prompt_tokens,
        d.prefill_seconds,
        d.tokens.len(),
        d.tokens.len() as f64 / d.decode_seconds.max(1e-9)
    );
    super::emit(&format!(
        "{}\n",
        serde_json::to_string_pretty(&answer.value)?
    ))
}

/// The text of a text task's input (a string or `{"text": ...}`); "" for the other tasks.
fn text_input(task: Task, input: &serde_json::Value) -> anyhow::Result<&str> {
    if !matches!(task, Task::ExtractSkills | Task::NormaliseTitle) {
        return Ok("");
    }
    input
        .as_str()
        .or_else(|| input["text"].as_str())
        .with_context(|| format!("{task} takes text: a string or {{\"text\": ...}}"))
}
