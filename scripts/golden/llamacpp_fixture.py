#!/usr/bin/env python3
"""Golden fixture for SmolLM2-135M-Instruct (Q4_1 GGUF) produced by llama.cpp.

The Rust tests in crates/hirelm-model compare our tokenizer and forward pass against this file;
the tests never run Python or llama.cpp themselves.

How to run (from the repository root):

    scripts/fetch-models.sh               # models/smollm2-135m-instruct/*.Q4_1.gguf
    scripts/setup-reference-env.sh        # venv with llama-cpp-python==0.3.36 (built without AMX)
    ~/.cache/hirelm-ref-venv/bin/python scripts/golden/llamacpp_fixture.py [--model PATH] [--out PATH]

What it writes (default crates/hirelm-model/tests/fixtures/smollm2_llamacpp.json):

  * "bos": what llama.cpp reports about BOS (GGUF metadata tokenizer.ggml.add_bos_token,
    bos/eos ids, and whether tokenize(add_bos=True) prepends anything).
  * "tokenize": token ids for a set of strings, from
    Llama.tokenize(text.encode(), add_bos=False, special=True) (one case with add_bos=True).
  * "prompts": for each prompt, its ids and, for every position i, the top-20 entries
    (ids by descending logit, ties by ascending id; logits rounded to 4 decimals) of the
    next-token logits after consuming ids[0..=i]. The whole prompt is evaluated as a single
    batch (n_batch=512 >= prompt length) in a fresh context, with n_threads=2.

`--preset gemma3` does the same for Gemma 3 270M (models/gemma3-270m/gemma-3-270m-q4_k_m.gguf,
written to crates/hirelm-infer/tests/fixtures/gemma3_llamacpp.json): Gemma's turn markup instead
of ChatML, every prompt opened by <bos>, and one prompt longer than the 512-token sliding window.

The output is deterministic for a given llama.cpp build and CPU feature set (up to
floating-point reduction order); rerunning overwrites the file.

The F32 reference (same weights as ours, without llama.cpp's 8-bit activation quantisation in its
Q4_1 matmuls) is made from a lossless F32 rewrite of the same file:

    hirelm model convert models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf /tmp/smollm2-f32.gguf
    ~/.cache/hirelm-ref-venv/bin/python scripts/golden/llamacpp_fixture.py \
        --model /tmp/smollm2-f32.gguf --model-sha256 "$(sha256sum /tmp/smollm2-f32.gguf | cut -d' ' -f1)" \
        --out crates/hirelm-model/tests/fixtures/smollm2_f32_llamacpp.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import numpy as np

LLAMA_CPP_PYTHON_VERSION = "0.3.36"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
TOP_K = 20
GENERATOR = "scripts/golden/llamacpp_fixture.py"

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_MODEL = os.path.join(ROOT, "models", "smollm2-135m-instruct", MODEL_FILE)
DEFAULT_OUT = os.path.join(ROOT, "crates", "hirelm-model", "tests", "fixtures", "smollm2_llamacpp.json")

CHATML_CONVERSATION = (
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n"
    "<|im_start|>assistant\n"
)

# (text, add_bos)
TOKENIZE_CASES: list[tuple[str, bool]] = [
    ("Hello, world!", False),
    ("The quick brown fox jumps over the lazy dog.", False),
    ("  leading spaces and trailing spaces  ", False),
    (" single leading space", False),
    ("multiple   spaces\n\nnewlines\n\n\nand\ttabs\t\there", False),
    ("line one\r\nline two\r\n", False),
    ("Salary: $85,000–$95,000/yr", False),
    ("Start date 2026-11-25, pi is 3.14159, build 1234567890.", False),
    ("Café, naïve, über, Straße, résumé", False),
    ("Zoë Müller moved from São Paulo to Zürich.", False),
    ("日本語のテキストと中文", False),
    ("Great job! 🎉🚀 👍🏽 ❤️", False),
    ("Wait... what?! (yes) [no] {maybe} -- \"quoted\" 'single' «guillemets» — em dash; a/b\\c", False),
    ("fn main() {\n    let v: Vec<u32> = (0..10).map(|x| x * 2).collect();\n    println!(\"{v:?}\");\n}\n", False),
    ("def f(x):\n\treturn {'a': [1, 2.5, None], \"b\": x ** 2}  # comment\n", False),
    ('{"title": "Senior Rust Engineer", "remote": true, "salary": [150000, 190000]}', False),
    (CHATML_CONVERSATION, False),
    ("<|im_start|><|im_end|><|endoftext|>", False),
    ("Literal tags: <|im_start|>user text<|im_end|> inline", False),
    ("", False),
    ("Hello, world!", True),
    (CHATML_CONVERSATION, True),
]

PROMPTS: list[tuple[str, str]] = [
    (
        "chatml_job_post",
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
        "<|im_start|>user\nDraft a job post for a senior Rust engineer at a fintech startup in Berlin. "
        "The role is fully remote within the EU, pays €95,000–€120,000 per year, and the team builds a "
        "low-latency payments engine with Tokio, gRPC and PostgreSQL. Keep it under 200 words and end "
        "with a short list of must-have skills.<|im_end|>\n"
        "<|im_start|>assistant\n",
    ),
    (
        "job_ad_skills",
        "We are hiring a Backend Engineer to join our platform team. You will design and operate "
        "distributed services that process millions of events per day. Required skills: 5+ years with "
        "Rust or C++, solid knowledge of Linux, networking and concurrency, experience with Kafka, "
        "Kubernetes and Terraform, and a habit of writing clear design documents. Nice to have: "
        "WebAssembly, eBPF, or contributions to open-source projects. Benefits include a learning "
        "budget and flexible hours.",
    ),
    (
        "candidate_profile",
        "Candidate profile\nName: Zoë Müller-Østergaard\nLocation: São Paulo, Brazil (open to relocation "
        "to Zürich)\nCurrent salary: R$ 24.500/month; expected: $85,000–$95,000/yr\n"
        "Experience: 7 years — Nubank (2019–2024), Mercado Libre (2017–2019)\n"
        "Languages: Português (native), English (C1), Deutsch (B2)\n"
        "Notes: François Dubois referred her; available from 2026-11-25.",
    ),
    (
        "json_snippet",
        '{\n  "job_id": "JR-2026-0042",\n  "title": "Senior Rust Engineer",\n  "location": {"city": '
        '"Berlin", "remote": true},\n  "salary": {"min": 95000, "max": 120000, "currency": "EUR"},\n'
        '  "skills": ["rust", "tokio", "grpc", "postgresql"],\n  "posted": "2026-11-25T09:30:00Z"\n}',
    ),
    (
        "general_knowledge",
        "The Amazon River flows for roughly 6,400 kilometres through South America, from the Andes "
        "mountains of Peru to the Atlantic Ocean near Belém, Brazil. Its drainage basin covers about "
        "seven million square kilometres, and it carries more water than any other river on Earth. The "
        "surrounding rainforest is home to an extraordinary variety of plants and animals, many of "
        "which have not yet been described by scientists.",
    ),
]

MIN_PROMPT_TOKENS, MAX_PROMPT_TOKENS = 60, 150

GEMMA_CONVERSATION = (
    "<bos><start_of_turn>user\nYou are a recruiting assistant.\n\nWhat is the capital of France?<end_of_turn>\n"
    "<start_of_turn>model\n"
)


def gemma_preset() -> dict:
    """Gemma 3 270M: the same texts with Gemma's markup, <bos> first, plus a prompt longer than
    the sliding window (512) so the local layers' window is exercised."""
    swap = {CHATML_CONVERSATION: GEMMA_CONVERSATION}
    cases = [(swap.get(t, t), b) for t, b in TOKENIZE_CASES]
    cases.insert(-3, ("<start_of_turn><end_of_turn><bos>", False))
    cases.insert(-3, ("Literal tags: <start_of_turn>user text<end_of_turn> inline", False))
    prompts = [(n, "<bos>" + t) for n, t in PROMPTS]
    prompts[0] = (
        "gemma_job_post",
        "<bos><start_of_turn>user\n" + PROMPTS[0][1].split("<|im_start|>user\n")[1].split("<|im_end|>")[0]
        + "<end_of_turn>\n<start_of_turn>model\n",
    )
    long_text = " ".join(t for _, t in PROMPTS[1:]) * 2
    prompts.append(("beyond_sliding_window", "<bos>" + long_text))
    return {
        "model": os.path.join(ROOT, "models", "gemma3-270m", "gemma-3-270m-q4_k_m.gguf"),
        "sha256": "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        "out": os.path.join(ROOT, "crates", "hirelm-infer", "tests", "fixtures", "gemma3_llamacpp.json"),
        "tokenize": cases,
        "prompts": prompts,
        "max_tokens": 1000,
        "n_ctx": 1024,
    }


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load(model_path: str, n_ctx: int = 512):
    from llama_cpp import Llama

    return Llama(
        model_path=model_path,
        logits_all=True,
        n_ctx=n_ctx,
        n_threads=2,
        n_batch=n_ctx,
        verbose=False,
    )


def top_k_rows(logits: np.ndarray, k: int) -> list[dict]:
    rows = []
    for row in logits:
        row = np.asarray(row, dtype=np.float32)
        # Descending logit, ties broken by ascending token id (stable sort on the negated logits).
        order = np.argsort(-row, kind="stable")[:k]
        rows.append(
            {
                "top_ids": [int(i) for i in order],
                "top_logits": [round(float(row[i]), 4) for i in order],
            }
        )
    return rows


def render(fixture: dict) -> str:
    """JSON with one tokenize case / one position per line: small, yet diff-friendly."""

    def dump(v) -> str:
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))

    out = ["{"]
    keys = list(fixture)
    for n, key in enumerate(keys):
        comma = "," if n + 1 < len(keys) else ""
        value = fixture[key]
        if key == "tokenize":
            out.append(f'  "{key}": [')
            out.extend(f"    {dump(c)}" + ("," if i + 1 < len(value) else "") for i, c in enumerate(value))
            out.append("  ]" + comma)
        elif key == "prompts":
            out.append(f'  "{key}": [')
            for i, p in enumerate(value):
                head = {k: v for k, v in p.items() if k != "positions"}
                out.append("    {" + dump(head)[1:-1] + ',"positions":[')
                rows = p["positions"]
                out.extend(f"      {dump(r)}" + ("," if j + 1 < len(rows) else "") for j, r in enumerate(rows))
                out.append("    ]}" + ("," if i + 1 < len(value) else ""))
            out.append("  ]" + comma)
        else:
            out.append(f'  "{key}": {dump(value)}{comma}')
    out.append("}")
    text = "\n".join(out) + "\n"
    assert json.loads(text) == json.loads(dump(fixture))
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=["smollm2", "gemma3"], default="smollm2")
    ap.add_argument("--model", default=None)
    ap.add_argument("--out", default=None)
    ap.add_argument(
        "--model-sha256",
        default=None,
        help="expected sha256 of --model (default: the pinned Q4_1 file); for the F32 reference "
        "made by `hirelm model convert`, pass that file's sha256",
    )
    args = ap.parse_args()
    preset = gemma_preset() if args.preset == "gemma3" else {
        "model": DEFAULT_MODEL, "sha256": MODEL_SHA256, "out": DEFAULT_OUT, "tokenize": TOKENIZE_CASES,
        "prompts": PROMPTS, "max_tokens": MAX_PROMPT_TOKENS, "n_ctx": 512,
    }
    args.model = args.model or preset["model"]
    args.out = args.out or preset["out"]
    args.model_sha256 = args.model_sha256 or preset["sha256"]

    import llama_cpp

    if llama_cpp.__version__ != LLAMA_CPP_PYTHON_VERSION:
        print(
            f"warning: llama-cpp-python {llama_cpp.__version__} != pinned {LLAMA_CPP_PYTHON_VERSION}",
            file=sys.stderr,
        )
    sha = sha256_of(args.model)
    if sha != args.model_sha256:
        print(f"error: {args.model} has sha256 {sha}, expected {args.model_sha256}", file=sys.stderr)
        return 1

    llm = load(args.model, preset["n_ctx"])
    meta = dict(llm.metadata)
    n_vocab = llm.n_vocab()

    def meta_int(key):
        return int(meta[key]) if key in meta else None

    add_bos_meta = meta.get("tokenizer.ggml.add_bos_token")
    probe = "Hello, world!".encode()
    ids_without = llm.tokenize(probe, add_bos=False, special=True)
    ids_with = llm.tokenize(probe, add_bos=True, special=True)
    bos = {
        "gguf_add_bos_token": None if add_bos_meta is None else str(add_bos_meta).lower() == "true",
        "gguf_add_eos_token": (
            None
            if meta.get("tokenizer.ggml.add_eos_token") is None
            else str(meta.get("tokenizer.ggml.add_eos_token")).lower() == "true"
        ),
        "bos_id": int(llm.token_bos()),
        "eos_id": int(llm.token_eos()),
        "gguf_bos_token_id": meta_int("tokenizer.ggml.bos_token_id"),
        "gguf_eos_token_id": meta_int("tokenizer.ggml.eos_token_id"),
        "gguf_padding_token_id": meta_int("tokenizer.ggml.padding_token_id"),
        "tokenizer_model": meta.get("tokenizer.ggml.model"),
        "tokenizer_pre": meta.get("tokenizer.ggml.pre"),
        "n_vocab": int(n_vocab),
        "add_bos_true_prepends": [int(t) for t in ids_with[: len(ids_with) - len(ids_without)]],
    }

    tokenize = []
    for text, add_bos in preset["tokenize"]:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)
        tokenize.append({"text": text, "add_bos": add_bos, "special": True, "ids": [int(t) for t in ids]})

    prompts = []
    total = 0
    for name, text in preset["prompts"]:
        ids = [int(t) for t in llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)]
        if not (MIN_PROMPT_TOKENS <= len(ids) <= preset["max_tokens"]):
            print(f"error: prompt {name} has {len(ids)} tokens, want {MIN_PROMPT_TOKENS}..={preset['max_tokens']}",
                  file=sys.stderr)
            return 1
        # Fresh context per prompt: no KV-cache state can leak between prompts.
        del llm
        llm = load(args.model, preset["n_ctx"])
        llm.eval(ids)
        assert llm.n_tokens == len(ids)
        logits = np.array(llm.scores[: len(ids), :n_vocab], dtype=np.float32)
        assert np.all(np.isfinite(logits)), name
        # Every row must be populated (logits_all): no row may be all zeros.
        assert np.all(np.abs(logits).max(axis=1) > 0), f"{name}: missing logits rows"
        prompts.append(
            {"name": name, "text": text, "add_bos": False, "special": True, "ids": ids,
             "positions": top_k_rows(logits, TOP_K)}
        )
        total += len(ids)
        print(f"{name}: {len(ids)} positions")

    fixture = {
        "generator": GENERATOR,
        "llama_cpp_python": LLAMA_CPP_PYTHON_VERSION,
        "model_file": os.path.basename(args.model),
        "model_sha256": sha,
        "top_k": TOP_K,
        "bos": bos,
        "tokenize": tokenize,
        "prompts": prompts,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(render(fixture))
    print(f"bos: {json.dumps(bos)}")
    print(f"total positions: {total}")
    print(f"wrote {os.path.relpath(args.out, ROOT)} ({os.path.getsize(args.out)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
