#!/usr/bin/env python3
"""Writes a seeded corpus of job-ad documents for the near-dedup benchmark (Parquet, column `text`).

Each document joins 3 to 8 real job-ad sentences drawn at random from SkillSpan's training
postings (../shared/data/skillspan/train.json; read, never copied into the repository). A share
of documents (--dup-rate) are reposts of an earlier document with light edits (words dropped or
replaced, punctuation, casing, a sentence appended), so similarities spread around the threshold
and near-duplicate detection has real work to do. Written in batches, so 1M rows need little
memory.

    python benches/minhash_corpus.py --rows 100000 --out target/bench-minhash/docs-100k.parquet
"""
import argparse
import json
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq

BATCH = 20_000


def sentences(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                tokens = json.loads(line)["tokens"]
            except (ValueError, KeyError) as e:
                raise SystemExit(f"{path}:{n}: not a SkillSpan record ({e})")
            # Skip anonymisation placeholders and fragments.
            if len(tokens) >= 5 and not any(t.startswith("<") and t.endswith(">") for t in tokens):
                out.append(" ".join(tokens))
    if not out:
        raise SystemExit(f"{path}: no usable sentences")
    return out


def edit(doc, rng, pool):
    words = doc.split()
    for _ in range(max(1, len(words) // rng.randint(12, 40))):
        i = rng.randrange(len(words))
        op = rng.random()
        if op < 0.4 and len(words) > 10:
            del words[i]
        elif op < 0.8:
            words[i] = rng.choice(rng.choice(pool).split())
        else:
            words[i] = words[i].upper() if rng.random() < 0.5 else words[i] + ","
    if rng.random() < 0.3:
        words += rng.choice(pool).split()
    return " ".join(words)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--dup-rate", type=float, default=0.15)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--skillspan", default=os.path.join(os.environ.get("HIRELM_SHARED_DATA", "../shared/data"), "skillspan/train.json"))
    a = p.parse_args()
    pool = sentences(a.skillspan)
    rng = random.Random(a.seed)
    recent = []  # a window of earlier documents to repost from, so memory stays flat
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    schema = pa.schema([("id", pa.int64()), ("text", pa.string())])
    with pq.ParquetWriter(tmp, schema) as w:
        for start in range(0, a.rows, BATCH):
            texts = []
            for _ in range(min(BATCH, a.rows - start)):
                if recent and rng.random() < a.dup_rate:
                    doc = edit(rng.choice(recent), rng, pool)
                else:
                    doc = " ".join(rng.choice(pool) for _ in range(rng.randint(3, 8)))
                    if len(recent) < 50_000:
                        recent.append(doc)
                    else:
                        recent[rng.randrange(len(recent))] = doc
                texts.append(doc)
            ids = pa.array(range(start, start + len(texts)), pa.int64())
            w.write_table(pa.table({"id": ids, "text": pa.array(texts, pa.string())}, schema=schema))
    os.replace(tmp, a.out)
    print(f"wrote {a.rows} documents ({len(pool)} source sentences) to {a.out}")


if __name__ == "__main__":
    main()
