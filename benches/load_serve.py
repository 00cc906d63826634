#!/usr/bin/env python3
"""Load test for `hirelm serve`: a bounded number of concurrent clients for a bounded time.

Each client loops: POST a request, wait for the whole answer, record latency and status (a 503
is retried after its Retry-After seconds, as a well-behaved client would). Prints
(and with --json writes) throughput, p50/p95/p99 latency and errors. Standard library only.

    python benches/load_serve.py --url http://127.0.0.1:8080 --clients 4 --seconds 60 --endpoint tasks
"""
import argparse
import http.client
import json
import threading
import time
import urllib.parse

SENTENCES = [
    "You will build data pipelines in Python and SQL.",
    "Experience with Kubernetes and Terraform is a plus.",
    "Strong communication skills and fluency in English are required.",
    "You maintain our React front end and write unit tests in Jest.",
    "Knowledge of payroll software and Excel reporting is essential.",
    "The nurse administers medication and monitors patient vital signs.",
]


def request_body(kind, i):
    sentence = SENTENCES[i % len(SENTENCES)]
    if kind == "tasks":
        return "/v1/tasks/extract_skills", json.dumps(sentence)
    body = {"messages": [{"role": "user", "content": f"List the skills in: {sentence}"}], "max_tokens": 48, "temperature": 0}
    return "/v1/chat/completions", json.dumps(body)


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8080")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--endpoint", choices=["tasks", "chat"], default="tasks")
    p.add_argument("--api-key")
    p.add_argument("--json")
    a = p.parse_args()
    url = urllib.parse.urlparse(a.url)
    headers = {"Content-Type": "application/json"}
    if a.api_key:
        headers["Authorization"] = f"Bearer {a.api_key}"
    lock = threading.Lock()
    latencies, statuses, tokens = [], {}, [0]
    stop_at = time.monotonic() + a.seconds

    def client(n):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
        i = n
        while time.monotonic() < stop_at:
            path, body = request_body(a.endpoint, i)
            i += a.clients
            start = time.monotonic()
            try:
                conn.request("POST", path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
                usage = json.loads(data).get("usage", {}) if status == 200 else {}
                retry_after = resp.getheader("Retry-After") if status == 503 else None
            except (OSError, http.client.HTTPException, ValueError) as e:
                status, usage, retry_after = f"error:{type(e).__name__}", {}, None
                conn.close()
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
            elapsed = time.monotonic() - start
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    latencies.append(elapsed)
                    tokens[0] += usage.get("completion_tokens", 0)
            if retry_after:
                # A well-behaved client backs off as told instead of hammering a full queue.
                time.sleep(min(float(retry_after), max(0.0, stop_at - time.monotonic())))

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    lat = sorted(latencies)
    ok = len(lat)
    result = {
        "endpoint": a.endpoint,
        "clients": a.clients,
        "seconds": round(wall, 2),
        "requests_ok": ok,
        "statuses": {str(k): v for k, v in statuses.items()},
        "errors": sum(v for k, v in statuses.items() if k != 200),
        "requests_per_second": round(ok / wall, 3),
        "completion_tokens_per_second": round(tokens[0] / wall, 1),
        "p50_seconds": round(percentile(lat, 50), 3),
        "p95_seconds": round(percentile(lat, 95), 3),
        "p99_seconds": round(percentile(lat, 99), 3),
    }
    print(json.dumps(result, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
