//! The official `openai` Python package against `hirelm serve`: what a user's existing client
//! code would do (scripts/openai-client-test.sh installs pinned versions, then
//! scripts/openai_client_check.py lists models, chats with and without streaming, parses a
//! structured output into a pydantic model and embeds). Skipped, saying so, only when the
//! package registry cannot be reached.

use super::*;

#[test]
fn the_openai_python_package_lists_chats_streams_parses_and_embeds() {
    let root = common::root();
    let server = serve(&[
        "--skills",
        root.join("data/esco/esco-1.1.1-labels.csv")
            .to_str()
            .expect("utf-8"),
        "--occupations",
        root.join("data/esco/occupations.csv")
            .to_str()
            .expect("utf-8"),
        "--max-new-tokens",
        "64",
    ]);
    let out = Command::new(root.join("scripts/openai-client-test.sh"))
        .arg(format!("http://{}", server.1))
        .output()
        .expect("runs the client script");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(3) {
        eprintln!("{stderr}");
        return;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.starts_with("ok:"),
        "{stdout}\n{stderr}"
    );
    eprintln!("{stdout}");
}
