#!/usr/bin/env python3
"""Summarise the `hirelm eval --suite eval/lm.toml` reports of several predictors as one table.

    python3 benches/summarize_lm_eval.py OUT.md [PREDICTOR ...]

Reads target/hirelm-eval/lm-<predictor>/report.json (written by scripts/main-job.sh, or by
`hirelm eval --suite eval/lm.toml --predictor P --out target/hirelm-eval/lm-P`).
"""
import json
import os
import platform
import sys

out_path = sys.argv[1]
predictors = sys.argv[2:] or ["bm25", "minilm-nn", "smollm2-base", "smollm2-lora"]
rows = []
for predictor in predictors:
    report = json.load(open(f"target/hirelm-eval/lm-{predictor}/report.json"))
    for e in report["evals"]:
        m, c = e["metrics"], e["consistency"] or {"flip_rate": float("nan"), "worst_case_accuracy": float("nan")}
        flips = ", ".join(f"{p['pack']} {p['flip_rate']:.2f}" for p in e["perturbations"]) or "no packs"
        rows.append(
            f"| {e['name']} | {predictor} | {e['cases']} | {m['rp@5']['mean']:.3f} | {m['rp@10']['mean']:.3f} "
            f"| {m['mrr']['mean']:.3f} | {m['acc@1']['mean']:.3f} | {c['flip_rate']:.3f} ({flips}) "
            f"| {c['worst_case_accuracy']:.3f} | {e['failed']} |"
        )
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
text = [
    f"Skill extraction on the first 60 validation sentences of TECH and HOUSE (eval/lm.toml); {os.cpu_count()} cores, {cpu}.",
    "The smollm2 predictors choose among MiniLM's 20 candidates under a JSON schema narrowed to them; the candidates",
    "they do not choose follow in MiniLM's order. Flip rate: share of (case, pack) pairs whose top-1 answer changed",
    "(a failed output counts as changed).",
    "",
    "| set | predictor | cases | RP@5 | RP@10 | MRR | acc@1 | flip rate (per pack) | worst-case acc@1 | failed |",
    "|---|---|---:|---:|---:|---:|---:|---|---:|---:|",
    *rows,
]
open(out_path, "w").write("\n".join(text) + "\n")
print("\n".join(text))
