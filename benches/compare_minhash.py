#!/usr/bin/env python3
"""datasketch's MinHash LSH on the same corpus, with the same shingles, permutations, bands and
threshold as a `hirelm dedup` run; prints the throughput ratio and the precision and recall of
hirelm's duplicate pairs against datasketch's.

The permutations come from hirelm's `--report` JSON, so both compute the same signatures
(datasketch 2.0's default `affine32` scheme with its default SHA-1 hash); the loop is
datasketch's documented dedup: `query`, keep the earliest candidate whose estimated Jaccard
reaches the threshold, else `insert`. Reading the Parquet file is not timed for datasketch
(it is for hirelm).

    python benches/compare_minhash.py --corpus docs.parquet --report hirelm.json --pairs hirelm.tsv
"""
import argparse
import json
import resource
import time

import numpy as np
import pyarrow.parquet as pq
from datasketch import MinHash, MinHashLSH


def shingles(text, k):
    words = text.lower().split()
    if len(words) <= k:
        return [" ".join(words).encode("utf-8")]
    return [" ".join(words[i:i + k]).encode("utf-8") for i in range(len(words) - k + 1)]


def datasketch_pairs(texts, cfg, perms):
    t, n, k = cfg["threshold"], cfg["permutations"], cfg["shingle_words"]
    lsh = MinHashLSH(threshold=t, num_perm=n, params=(cfg["bands"], cfg["rows"]))
    kept, pairs = {}, {}
    lsh_only = 0.0
    start = time.perf_counter()
    for row, text in enumerate(texts):
        if text is None:
            continue
        m = MinHash(num_perm=n, permutations=perms, scheme="affine32")
        m.update_batch(shingles(text, k))
        q = time.perf_counter()
        best = None
        for c in lsh.query(m):
            if m.jaccard(kept[c]) >= t and (best is None or c < best):
                best = c
        if best is None:
            lsh.insert(row, m)
            kept[row] = m
        else:
            pairs[row] = best
        lsh_only += time.perf_counter() - q
    return pairs, time.perf_counter() - start, lsh_only


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", required=True)
    p.add_argument("--column", default="text")
    p.add_argument("--report", required=True, help="hirelm dedup --report JSON")
    p.add_argument("--pairs", required=True, help="hirelm dedup --pairs TSV")
    p.add_argument("--json", help="write the comparison here")
    a = p.parse_args()
    with open(a.report) as f:
        rep = json.load(f)
    cfg = rep["minhash"]
    perms = (np.array(rep["permutations_a"], dtype=np.uint32), np.array(rep["permutations_b"], dtype=np.uint32))
    texts = pq.read_table(a.corpus, columns=[a.column]).column(a.column).to_pylist()
    theirs, seconds, lsh_seconds = datasketch_pairs(texts, cfg, perms)
    ours = {}
    with open(a.pairs) as f:
        next(f)
        for line in f:
            row, of, _ = line.split("\t")
            ours[int(row)] = int(of)
    same_row = set(ours) & set(theirs)
    both = sum(1 for r in same_row if ours[r] == theirs[r])
    precision = both / len(ours) if ours else 1.0
    recall = both / len(theirs) if theirs else 1.0
    result = {
        "documents": len(texts),
        "hirelm_seconds": rep["seconds"],
        "datasketch_seconds": seconds,
        "datasketch_lsh_seconds": lsh_seconds,
        "ratio": seconds / rep["seconds"],
        "hirelm_pairs": len(ours),
        "datasketch_pairs": len(theirs),
        "same_pairs": both,
        "precision": precision,
        "recall": recall,
        "minhash": cfg,
        # Peak RSS of this Python process: the corpus texts plus datasketch's index and MinHashes.
        "datasketch_peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(result, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
