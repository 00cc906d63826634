#!/usr/bin/env python3
"""Replaces the block between `<!-- NAME:begin -->` and `<!-- NAME:end -->` with a results
file, so the benchmark scripts regenerate the documentation's figures. The block is looked for
in README.md and then docs/*.md unless --readme names the file.

    python3 benches/readme_block.py NAME RESULTS.md [--code] [--readme FILE.md]

The results file's leading `# ` title is dropped; `--code` fences the text as a code block.
A README without the block is left alone (the script says so).
"""
import argparse
import os


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name")
    p.add_argument("results")
    p.add_argument("--code", action="store_true")
    p.add_argument("--readme", default=None)
    a = p.parse_args()
    if a.readme is None:
        root = os.path.join(os.path.dirname(__file__), "..")
        docs = os.path.join(root, "docs")
        candidates = [os.path.join(root, "README.md")] + sorted(
            os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md")
        )
        marker = f"<!-- {a.name}:begin -->"
        a.readme = next(
            (c for c in candidates if marker in open(c, encoding="utf-8").read()), candidates[0]
        )
    body = open(a.results, encoding="utf-8").read().strip()
    lines = body.splitlines()
    if lines and lines[0].startswith("# "):
        body = "\n".join(lines[1:]).strip()
    if a.code:
        body = "```text\n" + body + "\n```"
    text = open(a.readme, encoding="utf-8").read()
    begin, end = f"<!-- {a.name}:begin -->", f"<!-- {a.name}:end -->"
    if begin not in text or end not in text:
        print(f"readme_block: no {a.name} block in {a.readme}; left alone")
        return
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    tmp = a.readme + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(f"{head}{begin}\n{body}\n{end}{tail}")
    os.replace(tmp, a.readme)
    print(f"readme_block: updated {a.name} in {a.readme}")


if __name__ == "__main__":
    main()
