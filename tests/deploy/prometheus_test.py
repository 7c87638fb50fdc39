#!/usr/bin/env python3
"""The real Prometheus server against the real service, both on loopback: Prometheus
scrapes eventline with the shipped configuration and alert rules; the ingest counters
it reports equal what this test posted; every expression of the Grafana dashboard and
of the alert rules evaluates, names only metrics the service exports, and (for the
dashboard) returns data; the rules evaluate without error and raise no alert on a
healthy service.

Usage: prometheus_test.py EVENTLINE_BINARY REPOSITORY_ROOT   (DATABASE_URL must be set)
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import yaml

# Grafana's variables, replaced by what Grafana would pick at a 1 s scrape interval.
GRAFANA_VARIABLES = {"$__rate_interval": "15s", "$__interval": "1s"}
# Series Prometheus makes itself for every target.
PROMETHEUS_OWN = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
                "unless", "bool", "offset", "inf", "nan"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url, body=None):
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(what, condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (OSError, ValueError, KeyError, IndexError):
            pass
        time.sleep(0.25)
    raise AssertionError("timed out waiting for " + what)


def metric_names(expression):
    """The metric names a PromQL expression selects: what is left once strings, label
    matchers, ranges, grouping clauses, function calls and keywords are taken out."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expression)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = match.group(0)
        after = text[match.end():].lstrip()
        if after.startswith("(") or word.lower() in PROMQL_WORDS:
            continue
        names.add(word)
    return names


def exported_names(metrics_text):
    """Series names in the service's exposition, histograms' _bucket/_sum/_count too."""
    names = set()
    for line in metrics_text.splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return names


def event(number, event_id=None):
    return {"event_id": event_id or str(uuid.UUID(int=0xABC0000000004000800000000000 + number)),
            "occurred_at": "2025-01-06T12:00:00Z", "user_id": f"u{number}",
            "event_type": "click", "properties": {"n": number}}


class Test:
    def __init__(self, binary, root):
        self.binary = binary
        self.root = root
        self.work = tempfile.mkdtemp(prefix="eventline-prometheus-")
        self.processes = []
        self.database = "eventline_prom_" + uuid.uuid4().hex[:12]
        self.server_url = os.environ["DATABASE_URL"]

    def psql(self, sql):
        subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", self.server_url, "-c", sql],
                       check=True, capture_output=True)

    def start(self, name, args):
        log = open(os.path.join(self.work, name + ".log"), "w")
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append((name, process, log))
        return process

    def log_of(self, name):
        with open(os.path.join(self.work, name + ".log")) as f:
            return f.read()

    def run(self):
        self.psql(f"CREATE DATABASE {self.database}")
        url = urllib.parse.urlsplit(self.server_url)._replace(path="/" + self.database)
        port, prom_port = free_port(), free_port()
        service = f"http://127.0.0.1:{port}"
        prometheus = f"http://127.0.0.1:{prom_port}"

        # --auth off: this is about the metrics and the alerts, not keys.
        self.start("eventline", [self.binary, "serve", "--database-url", url.geturl(),
                                 "--listen", f"127.0.0.1:{port}", "--log-level", "warn",
                                 "--auth", "off"])
        wait_for("eventline to be ready", lambda: http(service + "/readyz")[0] == 200)

        # The shipped configuration, pointed at this service and scraping every second.
        with open(os.path.join(self.root, "deploy/prometheus/prometheus.yml")) as f:
            config = yaml.safe_load(f)
        config["global"].update({"scrape_interval": "1s", "evaluation_interval": "1s"})
        config["rule_files"] = [os.path.join(self.root, "deploy/prometheus", rule)
                                for rule in config["rule_files"]]
        config["scrape_configs"][0]["static_configs"] = [{"targets": [f"127.0.0.1:{port}"]}]
        config_path = os.path.join(self.work, "prometheus.yml")
        with open(config_path, "w") as f:
            yaml.safe_dump(config, f)
        self.start("prometheus", ["prometheus", f"--config.file={config_path}",
                                  f"--storage.tsdb.path={self.work}/data",
                                  f"--web.listen-address=127.0.0.1:{prom_port}"])
        wait_for("prometheus to be ready", lambda: http(prometheus + "/-/ready")[0] == 200)

        # 7 accepted, 2 duplicates (one in the batch, one repeated), 1 rejected.
        batches = [[event(1), event(2), event(3), event(1)],
                   [event(4), event(5), event(2)],
                   [event(6), event(7), dict(event(8), occurred_at="yesterday")]]
        for batch in batches:
            status, body = http(service + "/events", json.dumps(batch).encode())
            assert status == 200, (status, body)
        expected = {"events_ingested_total": 7, "events_duplicates_total": 2,
                    "events_rejected_total": 1}

        def query(expression):
            status, body = http(prometheus + "/api/v1/query?" +
                                urllib.parse.urlencode({"query": expression}))
            answer = json.loads(body)
            assert status == 200 and answer["status"] == "success", (expression, body)
            return answer["data"]["result"]

        for name, value in expected.items():
            selector = f'{name}{{job="eventline",source="http"}}'
            wait_for(f"{selector} == {value} in Prometheus",
                     lambda s=selector, v=value: [float(r["value"][1]) for r in query(s)] == [v],
                     timeout=30)
            print(f"ok: Prometheus reports {selector} = {value}")

        exported = exported_names(http(service + "/metrics")[1]) | PROMETHEUS_OWN
        with open(os.path.join(self.root, "deploy/grafana/dashboards/eventline.json")) as f:
            dashboard = json.load(f)
        panel_expressions = [(panel["title"], target["expr"]) for panel in dashboard["panels"]
                             for target in panel.get("targets", [])]
        with open(os.path.join(self.root, "deploy/prometheus/alerts.yml")) as f:
            rules = [rule for group in yaml.safe_load(f)["groups"] for rule in group["rules"]]
        assert panel_expressions and rules

        # Enough scrapes for every rate() window to hold two samples.
        time.sleep(4)
        failures = []
        for title, expression in panel_expressions:
            for variable, value in GRAFANA_VARIABLES.items():
                expression = expression.replace(variable, value)
            unknown = metric_names(expression) - exported
            if unknown:
                failures.append(f"panel {title!r}: {sorted(unknown)} not exported: {expression}")
            elif not query(expression):
                failures.append(f"panel {title!r} has no data: {expression}")
        for rule in rules:
            unknown = metric_names(rule["expr"]) - exported
            if unknown:
                failures.append(f"alert {rule['alert']}: {sorted(unknown)} not exported")
            query(rule["expr"])  # must evaluate; a healthy service gives no result

        # Prometheus's own evaluation of the shipped rules: healthy, and nothing firing.
        def evaluated_rules():
            answer = json.loads(http(prometheus + "/api/v1/rules")[1])
            loaded = [r for g in answer["data"]["groups"] for r in g["rules"]]
            done = all(not r["lastEvaluation"].startswith("0001") for r in loaded)
            return loaded if loaded and done else None
        loaded = wait_for("the alert rules to be evaluated", evaluated_rules, timeout=20)
        if {r["name"] for r in loaded} != {r["alert"] for r in rules}:
            failures.append(f"Prometheus loaded other rules: {[r['name'] for r in loaded]}")
        for r in loaded:
            if r["health"] != "ok":
                failures.append(f"alert {r['name']}: {r['health']} {r.get('lastError')}")
            if r["state"] != "inactive":
                failures.append(f"alert {r['name']} is {r['state']} on a healthy service")

        for failure in failures:
            print("FAIL:", failure)
        print(f"checked {len(panel_expressions)} panel and {len(rules)} alert expressions")
        return not failures

    def close(self):
        for name, process, log in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
        try:
            self.psql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        except subprocess.CalledProcessError as error:
            print("warning: could not drop the test database:", error.stderr)
        shutil.rmtree(self.work, ignore_errors=True)


def main():
    test = Test(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
    ok = False
    try:
        ok = test.run()
    except Exception:
        for name, _, log in test.processes:
            log.flush()
            print(f"--- {name} log ---\n{test.log_of(name)[-3000:]}")
        raise
    finally:
        test.close()
    print("prometheus test:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
