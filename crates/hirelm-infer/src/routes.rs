//! The shipped routes (`shipped/routes.toml`): what answers each task in the shipped hirelm, and
//! why. One file is read by everything that means "the shipped model": [`DomainModel::load_default`],
//! `hirelm ask` and `hirelm serve` without `--adapter`, and `hirelm bench compare` (its
//! `smollm2-hiring` predictor takes the adapters, its `hirelm` row takes the answerers), so what
//! is measured is what is served.
//!
//! ```toml
//! # An adapter answers the tasks it names; the one without `tasks` answers the rest.
//! [[adapter]]
//! name = "hirelm-hiring-match"
//! dir = "shipped/adapters/hirelm-hiring-match"   # relative to the repository root
//! tasks = ["score_match"]
//!
//! [[adapter]]
//! name = "hirelm-hiring-v2"
//! dir = "shipped/adapters/hirelm-hiring-v2"
//!
//! # Who answers a task: "lm" (the language model with its adapter), "encoder" (retrieval with
//! # the task's fine-tuned encoder, `retrieve::shipped_encoder_dir`) or "rule" (the rule-based
//! # matcher); `why` cites the validation evidence. A task not listed is answered by the LM.
//! [task.extract_skills]
//! answerer = "encoder"
//! why = "validation RP@5 0.73 against the LM reranker's 0.70 (benches/results/routes-valid/)"
//! ```
//!
//! [`DomainModel::load_default`]: crate::DomainModel::load_default

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hirelm_core::Task;
use serde::Deserialize;

use crate::domain::AdapterSpec;
use crate::error::{InferError, Result};

/// Where the routes live, relative to the repository root.
pub const SHIPPED_ROUTES: &str = "shipped/routes.toml";

/// What answers a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answerer {
    /// The language model with the task's adapter, under the task's JSON schema.
    Lm,
    /// Retrieval with the task's fine-tuned sentence encoder.
    Encoder,
    /// The rule-based matcher (`score_match`, and `rank_candidates` by its score).
    Rule,
}

impl Answerer {
    /// The name used in the routes file and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Lm => "lm",
            Self::Encoder => "encoder",
            Self::Rule => "rule",
        }
    }

    /// Whether this answerer can answer `task` at all.
    pub fn can_answer(self, task: Task) -> bool {
        match self {
            Self::Lm => true,
            Self::Encoder => matches!(task, Task::ExtractSkills | Task::NormaliseTitle),
            Self::Rule => matches!(task, Task::ScoreMatch | Task::RankCandidates),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutesFile {
    #[serde(default)]
    adapter: Vec<AdapterEntry>,
    #[serde(default)]
    task: BTreeMap<String, TaskEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdapterEntry {
    name: String,
    dir: PathBuf,
    tasks: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskEntry {
    answerer: Answerer,
    why: String,
}

/// The parsed routes: adapters (directories resolved) and each task's answerer with its reason.
#[derive(Debug, Clone, PartialEq)]
pub struct ShippedRoutes {
    /// The file read.
    pub path: PathBuf,
    /// The language model's adapters, in routing order ([`AdapterSpec`]).
    pub adapters: Vec<AdapterSpec>,
    answerers: BTreeMap<Task, (Answerer, String)>,
}

impl ShippedRoutes {
    /// The routes of the nearest hirelm checkout at or above the current directory, else of
    /// the one this crate was built from.
    pub fn shipped() -> Result<Self> {
        Self::load(&shipped_routes_path())
    }

    /// Reads `path`; adapter directories resolve against the folder above the file's folder
    /// (the repository root for `shipped/routes.toml`). Errors name the file and the field.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| InferError::invalid(path.display().to_string(), e.to_string()))?;
        let root = path
            .parent()
            .and_then(Path::parent)
            .unwrap_or_else(|| Path::new("."));
        Self::parse(&text, path, root)
    }

    /// Parses routes text read from `path`, resolving relative adapter directories against
    /// `root`.
    pub fn parse(text: &str, path: &Path, root: &Path) -> Result<Self> {
        let at = |field: &str| format!("{}: {field}", path.display());
        let file: RoutesFile =
            toml::from_str(text).map_err(|e| InferError::invalid(at("toml"), e.to_string()))?;
        let task = |name: &str, field: &str| {
            name.parse::<Task>()
                .map_err(|e| InferError::invalid(at(field), e.to_string()))
        };
        let mut adapters = Vec::new();
        for (i, a) in file.adapter.into_iter().enumerate() {
            let tasks = match a.tasks {
                Some(names) => Some(
                    names
                        .iter()
                        .map(|n| task(n, &format!("adapter[{i}].tasks")))
                        .collect::<Result<Vec<_>>>()?,
                ),
                None => None,
            };
            let dir = if a.dir.is_absolute() {
                a.dir
            } else {
                root.join(a.dir)
            };
            adapters.push(AdapterSpec {
                name: a.name,
                dir,
                tasks,
            });
        }
        if adapters.iter().filter(|a| a.tasks.is_none()).count() > 1 {
            return Err(InferError::invalid(
                at("adapter"),
                "more than one adapter without `tasks`: only one can answer the other tasks",
            ));
        }
        let mut answerers = BTreeMap::new();
        for (name, entry) in file.task {
            let t = task(&name, &format!("task.{name}"))?;
            if !entry.answerer.can_answer(t) {
                return Err(InferError::invalid(
                    at(&format!("task.{name}.answerer")),
                    format!("`{}` cannot answer {t}", entry.answerer.name()),
                ));
            }
            answerers.insert(t, (entry.answerer, entry.why));
        }
        Ok(Self {
            path: path.to_path_buf(),
            adapters,
            answerers,
        })
    }

    /// Who answers `task` (the language model for a task the file does not list).
    pub fn answerer(&self, task: Task) -> Answerer {
        self.answerers.get(&task).map_or(Answerer::Lm, |(a, _)| *a)
    }

    /// Why `task` goes to its answerer, as the file says (`None` for an unlisted task).
    pub fn why(&self, task: Task) -> Option<&str> {
        self.answerers.get(&task).map(|(_, why)| why.as_str())
    }
}

/// `shipped/routes.toml` in the nearest checkout at or above the current directory, else in
/// the one this crate was built from.
pub fn shipped_routes_path() -> PathBuf {
    let relative = Path::new(SHIPPED_ROUTES);
    let (dir, file) = (
        relative.parent().unwrap_or(relative),
        relative.file_name().and_then(|f| f.to_str()).unwrap_or(""),
    );
    crate::locate::in_checkout(dir, file).join(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &str = r#"
[[adapter]]
name = "narrow"
dir = "adapters/narrow"
tasks = ["score_match"]

[[adapter]]
name = "general"
dir = "/abs/general"

[task.extract_skills]
answerer = "encoder"
why = "wins on dev"

[task.rank_candidates]
answerer = "rule"
why = "wins on valid"
"#;

    fn parse(text: &str) -> Result<ShippedRoutes> {
        ShippedRoutes::parse(text, Path::new("shipped/routes.toml"), Path::new("/repo"))
    }

    #[test]
    fn adapters_resolve_against_the_root_and_unlisted_tasks_go_to_the_lm() {
        let routes = parse(ROUTES).expect("routes");
        assert_eq!(routes.adapters.len(), 2);
        assert_eq!(routes.adapters[0].dir, Path::new("/repo/adapters/narrow"));
        assert_eq!(routes.adapters[0].tasks, Some(vec![Task::ScoreMatch]));
        assert_eq!(routes.adapters[1].dir, Path::new("/abs/general"));
        assert_eq!(routes.answerer(Task::ExtractSkills), Answerer::Encoder);
        assert_eq!(routes.answerer(Task::RankCandidates), Answerer::Rule);
        assert_eq!(routes.answerer(Task::DraftJobPost), Answerer::Lm);
        assert_eq!(routes.why(Task::RankCandidates), Some("wins on valid"));
        assert_eq!(routes.why(Task::DraftJobPost), None);
    }

    #[test]
    fn bad_routes_are_refused_naming_the_file_and_field() {
        let err = |text: &str| parse(text).expect_err("refused").to_string();
        let e = err("[task.schedule_interview]\nanswerer = \"rule\"\nwhy = \"x\"\n");
        assert!(
            e.contains("shipped/routes.toml: task.schedule_interview.answerer")
                && e.contains("`rule` cannot answer schedule_interview"),
            "{e}"
        );
        let e = err("[task.hire_everyone]\nanswerer = \"lm\"\nwhy = \"x\"\n");
        assert!(e.contains("task.hire_everyone"), "{e}");
        let e =
            err("[[adapter]]\nname = \"a\"\ndir = \"a\"\n[[adapter]]\nname = \"b\"\ndir = \"b\"\n");
        assert!(e.contains("more than one adapter without `tasks`"), "{e}");
        let e = err("[task.extract_skills]\nanswerer = \"oracle\"\nwhy = \"x\"\n");
        assert!(e.contains("shipped/routes.toml: toml"), "{e}");
    }

    #[test]
    fn the_shipped_routes_parse_and_their_adapters_exist() {
        let routes = ShippedRoutes::shipped().expect("shipped/routes.toml");
        for a in &routes.adapters {
            assert!(
                a.dir.join("adapter_config.json").is_file(),
                "{}",
                a.dir.display()
            );
        }
        assert_eq!(
            routes.adapters.iter().filter(|a| a.tasks.is_none()).count(),
            1
        );
    }
}
