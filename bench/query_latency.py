#!/usr/bin/env python3
"""Times analytics requests over one keep-alive HTTP connection to a running service.

Usage: bench/query_latency.py BASE_URL REPEAT NAME=TARGET [NAME=TARGET ...]

Each target is requested twice to warm up, then REPEAT times; one markdown table row
per target: p50, p99 and max in milliseconds, and the size of the answer. A non-200
answer stops the run. Loopback only: BASE_URL must be http://127.0.0.1:PORT.
"""
import http.client
import sys
import time
import urllib.parse


def percentile(sorted_values, fraction):
    index = min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def main():
    base, repeat, targets = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    url = urllib.parse.urlparse(base)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("only loopback targets are benchmarked")
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    print("| query | requests | p50 ms | p99 ms | max ms | answer bytes |")
    print("|---|---:|---:|---:|---:|---:|")
    for item in targets:
        name, target = item.split("=", 1)
        timings = []
        size = 0
        for attempt in range(repeat + 2):
            started = time.perf_counter()
            connection.request("GET", target)
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                sys.exit(f"{target}: {response.status} {body[:200]!r}")
            size = len(body)
            if attempt >= 2:
                timings.append(elapsed)
        timings.sort()
        print(f"| {name} `{target}` | {repeat} | {percentile(timings, 0.5):.1f} | "
              f"{percentile(timings, 0.99):.1f} | {timings[-1]:.1f} | {size} |", flush=True)


if __name__ == "__main__":
    main()
