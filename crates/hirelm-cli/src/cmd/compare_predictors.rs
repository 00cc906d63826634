//! The predictors of a comparison config that the binary builds: each `[[lm]]` as a language
//! model (its adapters, routes file and few-shot demonstrations), and the `[router]` resolved
//! against its routes file. They live in the binary because `hirelm-eval` knows neither
//! `hirelm-infer` nor `hirelm-curate`.

use std::sync::Arc;

use anyhow::Context;
use hirelm_core::Task;
use hirelm_eval::compare::LmSpec;
use hirelm_eval::compare::config::FewShot;
use hirelm_eval::runner::RerankerFactory;
use hirelm_infer::{AdapterSpec, Demonstration, DomainModelBuilder};

use super::lm_predictor::{DomainReranker, canonical_input};

/// The language model of an `[[lm]]` entry, loaded on first use.
pub fn reranker(lm: &LmSpec, config: &std::path::Path) -> anyhow::Result<Arc<dyn RerankerFactory>> {
    let mut builder = DomainModelBuilder::new(&lm.base)
        .with_max_new_tokens(128)
        .with_name(&lm.name);
    for (i, a) in lm.adapters.iter().enumerate() {
        let tasks = match &a.tasks {
            None => None,
            Some(names) => Some(
                names
                    .iter()
                    .map(|t| t.parse::<Task>())
                    .collect::<Result<Vec<Task>, _>>()
                    .map_err(|e| {
                        anyhow::anyhow!("{}: lm `{}` adapter {i}: {e}", config.display(), lm.name)
                    })?,
            ),
        };
        let name = a.dir.file_name().map_or_else(
            || format!("adapter-{i}"),
            |n| n.to_string_lossy().into_owned(),
        );
        builder = builder.with_adapter(AdapterSpec {
            name,
            dir: a.dir.clone(),
            tasks,
        });
    }
    if let Some(routes) = &lm.routes {
        let routes = hirelm_infer::ShippedRoutes::load(routes)
            .with_context(|| format!("{}: lm `{}` routes", config.display(), lm.name))?;
        for adapter in routes.adapters {
            builder = builder.with_adapter(adapter);
        }
    }
    if let Some(few_shot) = &lm.few_shot {
        let by_task = demonstrations(few_shot)
            .with_context(|| format!("{}: lm `{}` few_shot", config.display(), lm.name))?;
        for (task, demos) in by_task {
            builder = builder.with_demonstrations(task, demos);
        }
    }
    Ok(Arc::new(
        DomainReranker::new(lm.name.clone(), builder).with_candidates(lm.candidates),
    ))
}

/// The predictor answering each task in the shipped system: what the router's routes file
/// (`shipped/routes.toml`) sends the task to, as the config names that kind of answerer.
pub fn resolve_router(
    router: &hirelm_eval::compare::RouterSpec,
    config: &std::path::Path,
) -> anyhow::Result<hirelm_eval::compare::Routed> {
    use hirelm_infer::Answerer;
    let routes = hirelm_infer::ShippedRoutes::load(&router.routes)
        .with_context(|| format!("{}: router `{}`", config.display(), router.name))?;
    let by_task = Task::ALL
        .into_iter()
        .map(|task| {
            let predictor = match routes.answerer(task) {
                Answerer::Lm => &router.lm,
                Answerer::Encoder => &router.encoder,
                Answerer::Rule => &router.rule,
            };
            (task.to_string(), predictor.clone())
        })
        .collect();
    Ok(hirelm_eval::compare::Routed {
        name: router.name.clone(),
        by_task,
    })
}

/// `few_shot.k` examples of every task in `few_shot.data`, drawn with a seeded generator per
/// task (curated files list each task's examples in generation order, where neighbours share a
/// skill or an occupation), with inputs written as the typed API writes them. A task with
/// fewer than `k` examples is an error: a silently shorter prompt would be another baseline.
fn demonstrations(few_shot: &FewShot) -> anyhow::Result<Vec<(Task, Vec<Demonstration>)>> {
    let path = few_shot.data.display();
    let examples = hirelm_curate::parquet_io::read_examples(&few_shot.data)
        .with_context(|| format!("reading {path}"))?;
    let mut out = Vec::new();
    for task in Task::ALL {
        let mut rows: Vec<usize> = (0..examples.len())
            .filter(|&i| examples[i].task == task)
            .collect();
        anyhow::ensure!(
            rows.len() >= few_shot.k,
            "{path} has {} examples of {task}, fewer than k = {}",
            rows.len(),
            few_shot.k
        );
        hirelm_curate::rng::Rng::derive(few_shot.seed, task.name()).shuffle(&mut rows);
        let mut demos = Vec::new();
        for &row in &rows[..few_shot.k] {
            let example = &examples[row];
            let demo = canonical_input(task, &example.input)
                .map_err(anyhow::Error::from)
                .and_then(|input| Ok(Demonstration::new(task, input, example.target.clone())?))
                .with_context(|| format!("{path} row {row} ({task})"))?;
            demos.push(demo);
        }
        out.push((task, demos));
    }
    Ok(out)
}
