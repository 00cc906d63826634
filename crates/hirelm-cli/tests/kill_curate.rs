//! Crash safety of `hirelm curate`: SIGKILL at points spread over a whole run, including the
//! writing of the Parquet splits and the card; every file under its final name must be
//! byte-identical to an uninterrupted run's (the pipeline is seeded, so a complete file has
//! exactly those bytes), and a rerun after the kills completes to the same files. Runs a small
//! recipe on the fetched data (scripts/fetch-data.sh) and the shared real data.
//! `HIRELM_KILL_TRIALS` (default 6) scales the number of kills.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A small recipe: the shipped one with every task cut to a few hundred examples and no
/// distant supervision (which needs MiniLM over all of SkillSpan).
fn recipe(dir: &Path) -> PathBuf {
    let shipped = std::fs::read_to_string(repo_root().join("configs/curate.toml"))
        .expect("configs/curate.toml");
    let mut value: toml::Table = shipped.parse().expect("recipe parses");
    let set = |v: &mut toml::Table, section: &str, key: &str, x: toml::Value| {
        v.get_mut(section)
            .and_then(toml::Value::as_table_mut)
            .expect(section)
            .insert(key.into(), x);
    };
    value.insert("name".into(), "killed".into());
    set(&mut value, "extract_skills", "max_skills", 300.into());
    set(&mut value, "extract_skills", "distant", false.into());
    for task in [
        "schedule_interview",
        "score_match",
        "rank_candidates",
        "evaluate_candidate",
        "draft_job_post",
    ] {
        set(&mut value, task, "examples", 200.into());
    }
    let path = dir.join("curate.toml");
    std::fs::write(&path, toml::to_string(&value).expect("toml")).expect("write recipe");
    path
}

fn curate(recipe: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hirelm"));
    cmd.args(["curate", "--config"])
        .arg(recipe)
        .arg("--output-dir")
        .arg(out);
    cmd.current_dir(repo_root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Files under their final names (temporary `.tmp` files excluded), with their bytes.
fn finished(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".tmp") && !n.starts_with('.'))
        .map(|n| (n.clone(), std::fs::read(dir.join(&n)).expect("readable")))
        .collect();
    files.sort();
    files
}

#[test]
fn curation_killed_at_any_point_never_leaves_a_partial_file_under_its_final_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let recipe = recipe(dir.path());
    let straight = dir.path().join("straight");
    let started = Instant::now();
    let out = curate(&recipe, &straight).output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let full = started.elapsed();
    let expected = finished(&straight.join("killed"));
    let names: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["card.md", "test.parquet", "train.parquet", "valid.parquet"]
    );
    for (name, _) in expected.iter().filter(|(n, _)| n.ends_with(".parquet")) {
        hirelm_curate::parquet_io::read_examples(&straight.join("killed").join(name))
            .expect("a complete Parquet file");
    }

    let trials: usize = std::env::var("HIRELM_KILL_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let killed = dir.path().join("killed");
    let (mut kills, mut mid_write) = (0, 0);
    for trial in 0..trials {
        let spawned = std::time::SystemTime::now();
        // Nobody reads a killed run's stderr: a full pipe must not stall it.
        let mut child = curate(&recipe, &killed)
            .stderr(Stdio::null())
            .spawn()
            .expect("starts");
        // Spread over the whole run, the last kills in its final tenth, where the files are written.
        std::thread::sleep(full.mul_f64(0.3 + 0.7 * (trial as f64 + 0.5) / trials as f64));
        if child.try_wait().expect("status").is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        child.wait().expect("reaped");
        // A temporary file written by this run and left behind: the kill landed mid-write.
        let leftovers = std::fs::read_dir(killed.join("killed"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok);
        let temporary = |e: &std::fs::DirEntry| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name.ends_with(".tmp") || name.starts_with('.'))
                && e.metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t >= spawned)
        };
        mid_write += usize::from(leftovers.into_iter().any(|e| temporary(&e)));
        for (name, bytes) in finished(&killed.join("killed")) {
            let want = expected.iter().find(|(n, _)| *n == name).map(|(_, b)| b);
            assert_eq!(
                want,
                Some(&bytes),
                "trial {trial}: {name} under its final name differs from the uninterrupted run's"
            );
        }
    }
    assert!(
        kills > 0,
        "every run finished before its kill: the run is too short to test"
    );
    let out = curate(&recipe, &killed).output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        finished(&killed.join("killed")) == expected,
        "a rerun after {kills} kills writes the same files"
    );
    eprintln!(
        "kill-curate: {kills} kills over {trials} trials of a {:.1} s run, {mid_write} of them while a file was being written; every visible file complete",
        full.as_secs_f64()
    );
}
