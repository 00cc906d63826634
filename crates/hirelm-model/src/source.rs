//! Where a model comes from: a local file or directory, or an `hf://owner/repo` repository.
//!
//! `hf://` sources resolve from the local Hugging Face cache (`$HF_HOME`, offline); with the
//! `hub` feature, files missing from the cache are downloaded into it. Tests never use the
//! network: they build their models on disk.

use std::path::{Path, PathBuf};

use crate::error::{ModelError, Result};

/// A parsed model location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// A GGUF file, or a directory with `config.json` + `*.safetensors` + `tokenizer.json`.
    Local(PathBuf),
    /// A Hugging Face repository, optionally naming one file in it (e.g. a GGUF).
    Hub {
        /// `owner/name`.
        repo: String,
        /// A file inside the repository; `None` for a safetensors model.
        file: Option<String>,
    },
}

impl ModelSource {
    /// Parses `hf://owner/repo[/file]` or a local path.
    pub fn parse(text: &str) -> Result<Self> {
        let Some(rest) = text.strip_prefix("hf://") else {
            return Ok(Self::Local(PathBuf::from(text)));
        };
        let parts: Vec<&str> = rest.splitn(3, '/').collect();
        match parts.as_slice() {
            [owner, name] | [owner, name, ""] if !owner.is_empty() && !name.is_empty() => {
                Ok(Self::Hub {
                    repo: format!("{owner}/{name}"),
                    file: None,
                })
            }
            [owner, name, file] if !owner.is_empty() && !name.is_empty() => Ok(Self::Hub {
                repo: format!("{owner}/{name}"),
                file: Some(file.to_string()),
            }),
            _ => Err(ModelError::Source {
                source_name: text.to_string(),
                reason: "expected hf://owner/repo or hf://owner/repo/file".into(),
            }),
        }
    }

    /// A local path to load: the file itself, or a directory holding the model's files.
    pub fn resolve(&self) -> Result<PathBuf> {
        match self {
            Self::Local(path) if path.exists() => Ok(path.clone()),
            Self::Local(path) => Err(ModelError::Source {
                source_name: path.display().to_string(),
                reason:
                    "no such file or directory (run scripts/fetch-models.sh for the default models)"
                        .into(),
            }),
            Self::Hub {
                repo,
                file: Some(file),
            } => fetch_from_hub(repo, file),
            Self::Hub { file: None, .. } => {
                self.resolve_dir(&["config.json", "tokenizer.json", "model.safetensors"])
            }
        }
    }

    /// A local directory holding `files` of this source: a local directory as it is (each file
    /// must be in it), or a repository's files fetched into the local Hugging Face cache. How
    /// PEFT adapters (`adapter_config.json`, `adapter_model.safetensors`) are found, the same way
    /// as base models.
    pub fn resolve_dir(&self, files: &[&str]) -> Result<PathBuf> {
        self.resolve_dir_in(&hf_hub::Cache::from_env(), files)
    }

    fn resolve_dir_in(&self, cache: &hf_hub::Cache, files: &[&str]) -> Result<PathBuf> {
        let fail = |source_name: String, reason: String| ModelError::Source {
            source_name,
            reason,
        };
        match self {
            Self::Local(dir) => match files.iter().find(|f| !dir.join(f).is_file()) {
                Some(missing) => Err(fail(
                    dir.display().to_string(),
                    format!("no {missing} in this directory"),
                )),
                None => Ok(dir.clone()),
            },
            Self::Hub { repo, file: None } => {
                let mut dir = PathBuf::new();
                for name in files {
                    let path = fetch_from_cache_or_hub(cache, repo, name)?;
                    dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                }
                Ok(dir)
            }
            Self::Hub {
                repo,
                file: Some(file),
            } => Err(fail(
                format!("hf://{repo}/{file}"),
                "expected a repository (hf://owner/repo), not a file in it".into(),
            )),
        }
    }
}

/// Set by [`set_models_dir`].
static MODELS_DIR_OVERRIDE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Makes [`models_dir`] return `dir` for the rest of the process, ahead of `HIRELM_MODELS_DIR`
/// (the CLI's `--models-dir`; a flag rather than the environment, which a program may not
/// change safely once threads run). Only the first call takes effect; returns whether this one
/// did.
pub fn set_models_dir(dir: PathBuf) -> bool {
    MODELS_DIR_OVERRIDE.set(dir).is_ok()
}

/// Where `scripts/fetch-models.sh` put the default models: the directory given to
/// [`set_models_dir`]; else `$HIRELM_MODELS_DIR`; else the
/// `models/` folder of the nearest hirelm checkout at or above the current directory; else that
/// of the checkout this crate was built from.
///
/// The search comes before the built-in path because cargo reuses a build across checkouts
/// that share a target directory (CI clones do), so the path compiled in may name another,
/// perhaps deleted, checkout.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = MODELS_DIR_OVERRIDE.get() {
        return dir.clone();
    }
    if let Some(dir) = std::env::var_os("HIRELM_MODELS_DIR") {
        return PathBuf::from(dir);
    }
    in_checkout(Path::new("models"), |dir| {
        dir.join("scripts/fetch-models.sh").is_file() && dir.join("crates/hirelm-model").is_dir()
    })
}

/// `relative` under the nearest directory at or above the current one that `is_checkout`
/// accepts, else under the checkout this crate was built from: how every default location
/// (models, the shipped encoder and adapters) is found from wherever `hirelm` runs. See
/// [`models_dir`] for why the search comes first.
pub fn in_checkout(relative: &Path, is_checkout: impl Fn(&Path) -> bool) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            cwd.ancestors()
                .find(|dir| is_checkout(dir))
                .map(|dir| dir.join(relative))
        })
        .unwrap_or_else(|| {
            let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
            crate_dir
                .ancestors()
                .nth(2)
                .unwrap_or(crate_dir)
                .join(relative)
        })
}

/// A fetched model file or directory under [`models_dir`], or an error saying how to fetch it.
pub fn fetched_model(relative: &str) -> Result<PathBuf> {
    let path = models_dir().join(relative);
    if path.exists() {
        Ok(path)
    } else {
        Err(ModelError::Source {
            source_name: path.display().to_string(),
            reason: "missing: run scripts/fetch-models.sh (or set HIRELM_MODELS_DIR)".into(),
        })
    }
}

/// The fetched SmolLM2-135M-Instruct Q4_1 GGUF file.
pub const SMOLLM2_GGUF: &str = "smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf";
/// The fetched Gemma 3 270M GGUF (the larger off-the-shelf baseline).
pub const GEMMA3_GGUF: &str = "gemma3-270m/gemma-3-270m-q4_k_m.gguf";
/// The fetched all-MiniLM-L6-v2 directory.
pub const MINILM_DIR: &str = "all-minilm-l6-v2";

/// The encoder shipped for titles (`normalise_title`) under `shipped/`, trained on skills and
/// titles with the pooled cosine.
pub const SHIPPED_ENCODER: &str = "hirelm-encoder-minilm";
/// The encoder shipped for skills (`extract_skills`) under `shipped/`: [`SHIPPED_ENCODER`]
/// trained further on skills, which wins on job-ad sentences and loses on titles
/// (docs/encoder.md).
pub const SHIPPED_SKILLS_ENCODER: &str = "hirelm-encoder-minilm-skills";

/// The shipped encoder that retrieves for `task`, as a path relative to a checkout:
/// [`SHIPPED_ENCODER`] for `normalise_title`, [`SHIPPED_SKILLS_ENCODER`] for every other task.
pub fn shipped_encoder(task: hirelm_core::Task) -> PathBuf {
    let name = match task {
        hirelm_core::Task::NormaliseTitle => SHIPPED_ENCODER,
        _ => SHIPPED_SKILLS_ENCODER,
    };
    Path::new("shipped").join(name)
}

/// A file of `repo`, from the offline cache or (with the `hub` feature) downloaded into it.
fn fetch_from_hub(repo: &str, file: &str) -> Result<PathBuf> {
    fetch_from_cache_or_hub(&hf_hub::Cache::from_env(), repo, file)
}

fn fetch_from_cache_or_hub(cache: &hf_hub::Cache, repo: &str, file: &str) -> Result<PathBuf> {
    if let Some(path) = cache.model(repo.to_string()).get(file) {
        return Ok(path);
    }
    download(repo, file)
}

#[cfg(feature = "hub")]
fn download(repo: &str, file: &str) -> Result<PathBuf> {
    let fail = |reason: String| ModelError::Source {
        source_name: format!("hf://{repo}/{file}"),
        reason,
    };
    let api = hf_hub::api::sync::ApiBuilder::from_env()
        .with_progress(true)
        .build()
        .map_err(|e| fail(format!("cannot reach the Hugging Face Hub: {e}")))?;
    api.model(repo.to_string())
        .get(file)
        .map_err(|e| fail(format!("download failed: {e}")))
}

#[cfg(not(feature = "hub"))]
fn download(repo: &str, file: &str) -> Result<PathBuf> {
    Err(ModelError::Source {
        source_name: format!("hf://{repo}/{file}"),
        reason: "not in the local Hugging Face cache, and this build has no `hub` feature to download it".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hub_and_local_sources() {
        assert_eq!(
            ModelSource::parse("hf://HuggingFaceTB/SmolLM2-135M-Instruct").expect("valid"),
            ModelSource::Hub {
                repo: "HuggingFaceTB/SmolLM2-135M-Instruct".into(),
                file: None
            }
        );
        assert_eq!(
            ModelSource::parse("hf://a/b/sub/model.gguf").expect("valid"),
            ModelSource::Hub {
                repo: "a/b".into(),
                file: Some("sub/model.gguf".into())
            }
        );
        assert_eq!(
            ModelSource::parse("models/x.gguf").expect("valid"),
            ModelSource::Local("models/x.gguf".into())
        );
        assert!(ModelSource::parse("hf://onlyowner").is_err());
        assert!(ModelSource::parse("hf:///name").is_err());
    }

    #[test]
    fn missing_local_path_says_how_to_fetch() {
        let err = ModelSource::Local("/nonexistent/m.gguf".into())
            .resolve()
            .expect_err("missing");
        assert!(err.to_string().contains("fetch-models.sh"), "{err}");
    }

    /// An offline Hugging Face cache under `dir` holding `files` of `owner/<name>`, and the
    /// snapshot directory they are in.
    fn cached(dir: &Path, name: &str, files: &[&str]) -> (hf_hub::Cache, PathBuf) {
        let cache = hf_hub::Cache::new(dir.to_path_buf());
        cache
            .model(format!("owner/{name}"))
            .create_ref("abc123")
            .expect("ref");
        let snapshot = dir.join(format!("models--owner--{name}/snapshots/abc123"));
        std::fs::create_dir_all(&snapshot).expect("mkdir");
        for file in files {
            std::fs::write(snapshot.join(file), b"x").expect("write");
        }
        (cache, snapshot)
    }

    #[test]
    fn directories_resolve_locally_or_from_the_offline_cache() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = ["adapter_config.json", "adapter_model.safetensors"];
        let (cache, snapshot) = cached(dir.path(), "adapter", &files);
        let hub = ModelSource::parse("hf://owner/adapter").expect("valid");
        assert_eq!(
            hub.resolve_dir_in(&cache, &files).expect("cached"),
            snapshot
        );
        let local = ModelSource::Local(snapshot.clone());
        assert_eq!(
            local.resolve_dir_in(&cache, &files).expect("local"),
            snapshot
        );
        let err = ModelSource::Local(dir.path().into())
            .resolve_dir_in(&cache, &files)
            .expect_err("no adapter files");
        assert!(err.to_string().contains("no adapter_config.json"), "{err}");
        let err = ModelSource::parse("hf://owner/adapter/adapter_config.json")
            .expect("valid")
            .resolve_dir_in(&cache, &files)
            .expect_err("a file");
        assert!(err.to_string().contains("not a file in it"), "{err}");
    }

    #[test]
    fn hub_file_resolves_from_offline_cache() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (cache, snapshot) = cached(dir.path(), "name", &["model.gguf"]);
        let file = snapshot.join("model.gguf");
        assert_eq!(
            fetch_from_cache_or_hub(&cache, "owner/name", "model.gguf").expect("cached"),
            file
        );
        // A file the cache lacks goes to the Hub (feature `hub`) or fails naming the source.
        if cfg!(not(feature = "hub")) {
            let err = fetch_from_cache_or_hub(&cache, "owner/name", "other.gguf")
                .expect_err("not cached");
            assert!(
                err.to_string().contains("hf://owner/name/other.gguf"),
                "{err}"
            );
        }
    }
}
