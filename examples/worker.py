#!/usr/bin/env python3
"""An external HWaaS worker in Python, standard library only.

Takes jobs of one declared type, runs work() on each payload, and completes it with the result (or fails it
with the error). Usage:

    HWAAS_API=http://127.0.0.1:8080 HWAAS_TOKEN=... python3 examples/worker.py reverse [--max 100] [--delay S]

The type "reverse" is declared with examples/reverse.schema.json; work() below is its handler.
"""
import argparse, json, os, sys, time, urllib.error, urllib.request

API = os.environ.get("HWAAS_API", "http://127.0.0.1:8080").rstrip("/")
TOKEN = os.environ.get("HWAAS_TOKEN", "")


def work(payload):
    return {"reversed": payload["text"][::-1]}


def call(path, body):
    request = urllib.request.Request(API + path, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def main():
    args = argparse.ArgumentParser()
    args.add_argument("type")
    args.add_argument("--max", type=int, default=10)
    args.add_argument("--wait", type=float, default=20)
    args.add_argument("--delay", type=float, default=0, help="seconds to spend on each job (to show leases)")
    opts = args.parse_args()
    while True:
        try:
            jobs = call(f"/api/work/{opts.type}/fetch", {"max": opts.max, "wait": opts.wait})["jobs"]
        except (urllib.error.URLError, OSError) as e:
            print(f"fetch failed: {e}; retrying in 1 s", file=sys.stderr)
            time.sleep(1)
            continue
        for job in jobs:
            time.sleep(opts.delay)
            try:
                outcome = ("complete", {"result": work(job["payload"])})
            except Exception as e:  # the job failed: HWaaS retries it after a backoff, then dead-letters it
                outcome = ("fail", {"error": f"{type(e).__name__}: {e}"})
            try:
                call(f"/api/work/{job['lease']}/{outcome[0]}", outcome[1])
            except urllib.error.HTTPError as e:  # 404: the lease expired, the job is offered again
                print(f"{job['id']}: {e.code} {e.read().decode()}", file=sys.stderr)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
