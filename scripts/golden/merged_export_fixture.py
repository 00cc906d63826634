#!/usr/bin/env python3
"""Golden fixture: llama.cpp's greedy answers on the GGUF files `hirelm adapter merge` writes.

The bundled adapter merged into the fetched base and exported as Q8_0 and as F16 must load and
run in llama.cpp as in hirelm, with the same greedy output. The Rust test
(crates/hirelm-cli/tests/merged_export/) runs the same merge, checks that the files are
byte-identical to the ones recorded here (sha256), and decodes the same prompts with hirelm.

How to run (from the repository root):

    scripts/fetch-models.sh && scripts/setup-reference-env.sh
    B=${CARGO_TARGET_DIR:-$HOME/.cache/hirelm-target}/release/hirelm
    for t in q8-0 f16; do
      $B adapter merge --adapter shipped/adapters/hirelm-hiring-v2 --gguf-out /tmp/merged-$t.gguf --gguf-type $t
    done
    ~/.cache/hirelm-ref-venv/bin/python scripts/golden/merged_export_fixture.py /tmp/merged-q8-0.gguf /tmp/merged-f16.gguf

What it writes (crates/hirelm-cli/tests/fixtures/merged_export_llamacpp.json): per file, its
sha256 and, for each prompt (ChatML: the task's system message and an input, as hirelm renders
them), the prompt's ids, the first NEW_TOKENS greedy ids (argmax of the logits, ties to the
lower id) with n_threads=2, and llama.cpp's top-TOP_K logits at every position of the prompt
followed by those greedy ids (one teacher-forced pass, fresh context). The test compares
hirelm's logits at the same positions with these, within tolerances: a fixture recorded on one
CPU never demands bit-equal tokens from another. The fixture names the CPU it was recorded on.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

from llamacpp_fixture import sha256_of, top_k_rows  # this script's directory is on the path

NEW_TOKENS = 40
TOP_K = 20
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "crates", "hirelm-cli", "tests", "fixtures", "merged_export_llamacpp.json")

# The system turns are shortened task instructions; any text works as long as both sides
# tokenize the same ids (the ids are recorded, and the test feeds the recorded ids).
PROMPTS = [
    ("extract_skills", "Extract the skills a job-ad sentence asks for. Answer with JSON.",
     "You will build data pipelines in Python and SQL and deploy them on AWS."),
    ("normalise_title", "Normalise the job title to its standard occupation. Answer with JSON.",
     "Sr. Backend Dev (Rust/Go) - Payments"),
    ("draft_job_post", "Draft a job post from the client's brief. Answer with JSON.",
     "Senior data engineer, remote in the EU, EUR 80k-95k, Spark and Airflow, fintech."),
]


def greedy(llm, ids: list[int], n: int) -> list[int]:
    llm.reset()
    llm.eval(ids)
    out = []
    for _ in range(n):
        logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
        token = int(np.flatnonzero(logits == logits.max())[0])
        out.append(token)
        llm.eval([token])
    return out


def teacher_forced(llm, ids: list[int]) -> list[dict]:
    """Top-k logits after every one of `ids`, from one batched pass over a fresh context."""
    llm.reset()
    llm.eval(ids)
    logits = np.array(llm.scores[: len(ids)], dtype=np.float32)
    assert np.all(np.isfinite(logits)) and np.all(np.abs(logits).max(axis=1) > 0), "missing logits rows"
    return top_k_rows(logits, TOP_K)


def cpu_name() -> str:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def render(fixture: dict) -> str:
    """JSON with one position per line: small, yet diff-friendly."""
    def dump(v) -> str:
        return json.dumps(v, separators=(",", ":"))
    head = {k: v for k, v in fixture.items() if k != "files"}
    out = ["{" + dump(head)[1:-1] + ',"files":[']
    for i, f in enumerate(fixture["files"]):
        out.append(" {" + dump({k: v for k, v in f.items() if k != "prompts"})[1:-1] + ',"prompts":[')
        for j, p in enumerate(f["prompts"]):
            out.append("  {" + dump({k: v for k, v in p.items() if k != "positions"})[1:-1] + ',"positions":[')
            rows = p["positions"]
            out.extend(f"   {dump(r)}" + ("," if n + 1 < len(rows) else "") for n, r in enumerate(rows))
            out.append("  ]}" + ("," if j + 1 < len(f["prompts"]) else ""))
        out.append(" ]}" + ("," if i + 1 < len(fixture["files"]) else ""))
    out.append("]}")
    text = "\n".join(out) + "\n"
    assert json.loads(text) == fixture
    return text


def main() -> int:
    from llama_cpp import Llama

    files = []
    for path in sys.argv[1:]:
        llm = Llama(model_path=path, logits_all=True, n_ctx=512, n_threads=2, n_batch=512, verbose=False)
        prompts = []
        for name, system, user in PROMPTS:
            text = f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
            ids = [int(t) for t in llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)]
            tokens = greedy(llm, ids, NEW_TOKENS)
            prompts.append({"name": name, "ids": ids, "greedy": tokens,
                            "positions": teacher_forced(llm, ids + tokens[:-1])})
        files.append({"file": os.path.basename(path), "sha256": sha256_of(path), "prompts": prompts})
        print(f"{path}: {[p['greedy'][:8] for p in prompts]}", file=sys.stderr)
    fixture = {"generator": "scripts/golden/merged_export_fixture.py", "llama_cpp_python": "0.3.36",
               "recorded_on": cpu_name(), "new_tokens": NEW_TOKENS, "top_k": TOP_K, "files": files}
    with open(OUT, "w") as f:
        f.write(render(fixture))
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
