#!/usr/bin/env python3
"""Checks docker-compose.yml without a Docker engine: it parses, docker-compose's own
validator accepts it, every file it names exists in the repository, ports are bound
to loopback by default, and the parts the operations guide relies on are there.

Usage: compose_test.py REPOSITORY_ROOT
"""
import os
import re
import subprocess
import sys

import yaml

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def main():
    root = sys.argv[1]
    path = os.path.join(root, "docker-compose.yml")
    with open(path, encoding="utf-8") as file:
        compose = yaml.safe_load(file)

    # docker-compose (1.29, Debian's) validates against the Compose schema offline.
    result = subprocess.run(["docker-compose", "-f", path, "config", "-q"], cwd=root,
                            capture_output=True, text=True, check=False)
    check(result.returncode == 0, "docker-compose config refuses the file: " + result.stderr)

    services = compose.get("services", {})
    check(set(services) == {"postgres", "eventline", "prometheus", "grafana"},
          f"unexpected services: {sorted(services)}")

    for name, service in services.items():
        build = service.get("build")
        if build:
            context = os.path.join(root, build.get("context", "."))
            dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))
            check(os.path.isfile(dockerfile), f"{name}: no Dockerfile at {dockerfile}")
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                check(os.path.exists(os.path.join(root, source)),
                      f"{name}: mounts {source}, which is not in the repository")
            else:
                check(source in (compose.get("volumes") or {}),
                      f"{name}: named volume {source} is not declared")
        for port in service.get("ports", []):
            # "${EVENTLINE_BIND:-127.0.0.1}:8080:8080": loopback unless told otherwise.
            bind = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(port)).split(":")[0]
            check(bind == "127.0.0.1", f"{name}: port {port} is not bound to 127.0.0.1")

    postgres = services.get("postgres", {})
    check(str(postgres.get("image", "")).startswith("postgres:15"), "PostgreSQL is not 15")
    check("healthcheck" in postgres, "postgres has no health check")
    check(any(v.split(":")[0] == "pgdata" for v in postgres.get("volumes", [])),
          "postgres data is not on the named volume pgdata")

    service = services.get("eventline", {})
    check(service.get("depends_on", {}).get("postgres", {}).get("condition") ==
          "service_healthy", "eventline does not wait for a healthy postgres")
    check(service.get("restart") == "on-failure", "eventline does not restart on failure")
    check("DATABASE_URL" in service.get("environment", {}), "eventline has no DATABASE_URL")

    # Prometheus scrapes the service under the name compose gives it.
    with open(os.path.join(root, "deploy/prometheus/prometheus.yml"), encoding="utf-8") as f:
        prometheus = yaml.safe_load(f)
    targets = [t for job in prometheus["scrape_configs"]
               for c in job.get("static_configs", []) for t in c["targets"]]
    check("eventline:8080" in targets, f"Prometheus does not scrape eventline:8080: {targets}")
    for rule_file in prometheus.get("rule_files", []):
        mounted = [v for v in services["prometheus"]["volumes"]
                   if v.split(":")[1] == "/etc/prometheus/" + rule_file]
        check(mounted, f"rule file {rule_file} is not mounted into the Prometheus container")

    # Grafana's datasource points at the compose Prometheus, with the uid the dashboard uses.
    datasources = os.path.join(root, "deploy/grafana/provisioning/datasources/prometheus.yml")
    with open(datasources, encoding="utf-8") as f:
        source = yaml.safe_load(f)["datasources"][0]
    check(source["url"] == "http://prometheus:9090", "Grafana datasource URL is wrong")
    with open(os.path.join(root, "deploy/grafana/dashboards/eventline.json"),
              encoding="utf-8") as f:
        dashboard = f.read()
    check(f'"uid": "{source["uid"]}"' in dashboard, "the dashboard uses another datasource")

    # The Dockerfile installs from the one package list, not a copy of it.
    with open(os.path.join(root, "Dockerfile"), encoding="utf-8") as f:
        dockerfile = f.read()
    check("deps/debian-packages.txt" in dockerfile and "install-deps.sh" in dockerfile,
          "the Dockerfile does not install from deps/debian-packages.txt")
    for word in ("HEALTHCHECK", "USER eventline", "FROM debian:12-slim"):
        check(word in dockerfile, f"the Dockerfile lacks {word}")
    for copied in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.MULTILINE):
        check(copied == "." or os.path.exists(os.path.join(root, copied)),
              f"the Dockerfile copies {copied}, which is not in the repository")

    for failure in failures:
        print("FAIL:", failure)
    print("compose checks:", "ok" if not failures else f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
