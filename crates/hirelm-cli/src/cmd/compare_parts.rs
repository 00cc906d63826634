//! What one part of a comparison runs: the config narrowed to some predictors, suites or entries
//! (`hirelm bench compare --predictors/--suites/--entries`), and the tuned model given another
//! adapter (`--adapter`). Each narrowing refuses a name the config lacks, listing those it has.

use std::path::Path;

use anyhow::Context;
use hirelm_eval::compare::CompareConfig;
use hirelm_eval::suite::{EvalSpec, Suite};

/// Gives the claim's tuned language model (`[bar] tuned`, or the `[router]`'s `lm` when the
/// claim is the router's) the adapter `dir` for every task instead of its configured ones.
pub fn give_tuned_adapter(
    config: &mut CompareConfig,
    dir: &Path,
    config_path: &Path,
) -> anyhow::Result<()> {
    let mut tuned = config
        .bar
        .as_ref()
        .map(|b| b.tuned.clone())
        .context("--adapter needs a [bar] naming the tuned model")?;
    if let Some(router) = config.router.as_ref().filter(|r| r.name == tuned) {
        tuned = router.lm.clone();
    }
    let lm = config
        .lm
        .iter_mut()
        .find(|lm| lm.name == tuned)
        .with_context(|| {
            format!(
                "--adapter: the tuned model `{tuned}` is not an [[lm]] of {}",
                config_path.display()
            )
        })?;
    lm.adapters = vec![hirelm_eval::compare::config::AdapterRoute {
        dir: dir.to_path_buf(),
        tasks: None,
    }];
    lm.routes = None;
    Ok(())
}

/// Keeps the predictors in `only` (and the suites and `[[lm]]`s they leave).
pub fn keep_predictors(
    config: &mut CompareConfig,
    only: &[String],
    config_path: &Path,
) -> anyhow::Result<()> {
    let known: Vec<&String> = config
        .suite
        .iter()
        .flat_map(|run| &run.predictors)
        .collect();
    if let Some(bad) = only.iter().find(|p| !known.contains(p)) {
        anyhow::bail!(
            "--predictors: `{bad}` is not a predictor of {}",
            config_path.display()
        );
    }
    config
        .suite
        .iter_mut()
        .for_each(|run| run.predictors.retain(|p| only.contains(p)));
    config.suite.retain(|run| !run.predictors.is_empty());
    config.lm.retain(|lm| only.contains(&lm.name));
    Ok(())
}

/// Keeps the suites in `only`, as the config writes their paths.
pub fn keep_suites(
    config: &mut CompareConfig,
    only: &[std::path::PathBuf],
    config_path: &Path,
) -> anyhow::Result<()> {
    if let Some(bad) = only
        .iter()
        .find(|path| !config.suite.iter().any(|run| &run.path == *path))
    {
        let known: Vec<String> = config
            .suite
            .iter()
            .map(|run| run.path.display().to_string())
            .collect();
        anyhow::bail!(
            "--suites: `{}` is not a suite of {} (it has {})",
            bad.display(),
            config_path.display(),
            known.join(", ")
        );
    }
    config.suite.retain(|run| only.contains(&run.path));
    Ok(())
}

/// Keeps the entries named `suite/entry` in `only`, and the suites left with any; an entry
/// that none of the suites has is refused, naming those it has.
pub fn keep_entries(suites: &mut Vec<(Suite, Vec<String>)>, only: &[String]) -> anyhow::Result<()> {
    let label = |suite: &Suite, spec: &EvalSpec| format!("{}/{}", suite.name, spec.name);
    let known: Vec<String> = suites
        .iter()
        .flat_map(|(suite, _)| suite.evals.iter().map(|spec| label(suite, spec)))
        .collect();
    if let Some(bad) = only.iter().find(|name| !known.contains(name)) {
        anyhow::bail!(
            "--entries: `{bad}` is not an entry of the suites run (they have {})",
            known.join(", ")
        );
    }
    for (suite, _) in suites.iter_mut() {
        let name = suite.name.clone();
        suite
            .evals
            .retain(|spec| only.contains(&format!("{name}/{}", spec.name)));
    }
    suites.retain(|(suite, _)| !suite.evals.is_empty());
    Ok(())
}
