"""The deployment files agree with the code they deploy: every REGIE_ setting they set exists,
every probe and scrape path is a route of the app, the workers' grace period covers their
graceful shutdown, the image holds every package and data folder Regie reads, every web app
and worker shares the one data folder, every Regie container runs unprivileged on a read-only
root, PostgreSQL admits every connection Regie and Temporal may open, a round and the ledger
take every Update sent to them at once, compose and Helm give Temporal the same dynamic config,
the compose file follows the Compose Specification, and every Kubernetes manifest is valid,
strictly, for the oldest and the newest Kubernetes it is meant for."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import kubernetes_validate
import pytest
import yaml

from activities.rounds import LEDGER_UPDATES_AT_ONCE
from api.app import ROUTERS
from regie import ROOT, rounds
from regie.db import connections_at_most
from regie.settings import Settings

DEPLOY = ROOT / "deploy"
KUBERNETES = ("1.30", "1.37")  # deploy/README.md: Kubernetes 1.30 or newer


def _documents():
    yield "compose.yaml", yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            yield path.name, doc


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_setting_the_deployment_sets_exists():
    known = {f"REGIE_{name.upper()}" for name in Settings.model_fields}
    text = "\n".join(p.read_text() for p in [DEPLOY / "compose.yaml",
                                             *(DEPLOY / "k8s").glob("*.yaml")])
    used = set(re.findall(r"\bREGIE_[A-Z_]+\b", text)) - {"REGIE_VERSION"}  # the image tag
    assert used and used <= known, used - known


def test_probes_and_scrapes_point_at_routes_of_the_app():
    routes = {route.path for router in ROUTERS for route in router.routes}
    paths = set()
    for _name, doc in _documents():
        for node in _walk(doc):
            if "httpGet" in node and node["httpGet"]["port"] in ("http", 8000):
                paths.add(node["httpGet"]["path"])
            if node.get("prometheus.io/port") == "8000":
                paths.add(node["prometheus.io/path"])
    assert paths == {"/healthz", "/readyz", "/metrics"}
    assert paths <= routes


def test_workers_get_longer_to_stop_than_their_graceful_shutdown():
    source = (ROOT / "regie" / "worker.py").read_text()
    graceful = int(re.search(r"graceful_shutdown_timeout=timedelta\(seconds=(\d+)\)",
                             source).group(1))
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert int(compose["services"]["regie-worker"]["stop_grace_period"].rstrip("s")) > graceful
    worker = next(doc for name, doc in _documents()
                  if name == "regie.yaml" and doc["metadata"]["name"] == "regie-worker"
                  and doc["kind"] == "Deployment")
    assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > graceful


def test_the_image_holds_every_package_and_data_folder():
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"]
    copied = set(re.findall(r"^COPY (\S+) ", (DEPLOY / "Dockerfile").read_text(), re.M))
    assert set(packages) | {"templates", "schemes"} <= copied


def test_every_web_app_and_worker_shares_the_data_folder():
    """Workers write letters and web apps take uploads that any other replica serves or mails."""
    data_dir = re.search(r"REGIE_DATA_DIR=(\S+)", (DEPLOY / "Dockerfile").read_text()).group(1)
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for name in ("regie-api", "regie-worker"):
        assert compose["services"][name]["volumes"] == [f"regie-data:{data_dir}"], name
    claims = {doc["metadata"]["name"]: doc for _name, doc in _documents()
              if doc.get("kind") == "PersistentVolumeClaim"}
    assert claims["regie-data"]["spec"]["accessModes"] == ["ReadWriteMany"]
    for _name, doc in _documents():
        if doc.get("kind") == "Deployment" and doc["metadata"]["name"] in ("regie-api",
                                                                       "regie-worker"):
            pod = doc["spec"]["template"]["spec"]
            volumes = {v["name"]: v for v in pod["volumes"]}
            [mount] = [m for m in pod["containers"][0]["volumeMounts"]
                       if m["mountPath"] == data_dir]
            assert volumes[mount["name"]]["persistentVolumeClaim"]["claimName"] == "regie-data"


def _pod_templates():
    """Every pod Regie's image runs in on Kubernetes: the release job's, the web app's and the
    workers'."""
    for name, doc in _documents():
        if name == "regie.yaml" and doc["kind"] in ("Job", "Deployment"):
            yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


def test_regie_runs_unprivileged_on_a_read_only_root():
    """As deploy/smoke.sh runs the image: not as root, without capabilities or a way to gain
    privileges, on a read-only root with /tmp writable. On Kubernetes that is the Pod Security
    Standard "restricted" (its rules for users, capabilities, seccomp and volume types), so a
    namespace that enforces it admits Regie's pods."""
    user = re.search(r"^USER (\d+):(\d+)$", (DEPLOY / "Dockerfile").read_text(), re.M)
    assert user and int(user.group(1)) > 0 and int(user.group(2)) > 0
    hardened = re.search(r'^HARDENED="(.*)"$', (DEPLOY / "smoke.sh").read_text(), re.M)
    assert hardened.group(1).split() == ["--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL",
                                         "--security-opt", "no-new-privileges"]
    runs = re.findall(r"docker run [^\n]*", (DEPLOY / "smoke.sh").read_text())
    assert len(runs) == 2 and all("$HARDENED" in run for run in runs), runs
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    for name in ("regie-setup", "regie-api", "regie-worker"):
        service = compose[name]
        assert service["read_only"] is True and service["tmpfs"] == ["/tmp"], name
        assert service["cap_drop"] == ["ALL"], name
        assert service["security_opt"] == ["no-new-privileges:true"], name
    allowed = {"persistentVolumeClaim", "emptyDir", "configMap", "secret", "projected",
               "downwardAPI", "ephemeral", "csi"}  # "restricted" admits no other volume type
    pods = dict(_pod_templates())
    assert set(pods) == {"regie-release", "regie-api", "regie-worker"}
    for name, pod in pods.items():
        context = pod["securityContext"]
        assert context["runAsNonRoot"] is True and context["runAsUser"] == int(user.group(1))
        assert context["runAsGroup"] == int(user.group(2)), name
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, name
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert all(set(v) - {"name"} <= allowed for v in volumes.values()), name
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            [tmp] = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert "emptyDir" in volumes[tmp["name"]], name


# One-off Regie processes beside the web apps and workers: the release job (or compose's
# regie-setup), which runs while the last release's pods still serve, and a command run by hand
COMMANDS_AT_ONCE = 2
SUPERUSER_RESERVED = 3  # PostgreSQL's superuser_reserved_connections, by default
KINDS = ("regie-api", "regie-worker")


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


def _manifests() -> dict:
    return {(doc["kind"], doc["metadata"]["name"]): doc for name, doc in _documents()
            if name != "compose.yaml"}


def _helm() -> dict:
    return yaml.safe_load((DEPLOY / "temporal" / "helm-values.yaml").read_text())["server"]


def _most_processes() -> tuple[dict[str, int], dict[str, int]]:
    """The most web apps and workers running at once: on compose its replicas; on Kubernetes
    the most the autoscaler may run, and one more pod while a rolling update starts it."""
    compose = {name: _compose()[name]["deploy"]["replicas"] for name in KINDS}
    manifests, kubernetes = _manifests(), {}
    for name in KINDS:
        spec = manifests["Deployment", name]["spec"]
        autoscaled = manifests.get(("HorizontalPodAutoscaler", name), {}).get("spec", {})
        kubernetes[name] = max(spec["replicas"], autoscaled.get("maxReplicas", 0)) + spec[
            "strategy"]["rollingUpdate"]["maxSurge"]
    return compose, kubernetes


def _max_connections(command: list[str]) -> int:
    [setting] = [arg for arg in command if arg.startswith("max_connections=")]
    return int(setting.split("=")[1])


def test_postgresql_admits_every_connection_the_deployment_can_open():
    """PostgreSQL admits 100 connections unless told otherwise, while each Regie process may
    open connections_at_most(REGIE_DB_POOL_SIZE) and each Temporal service its two pools: the
    bundled PostgreSQL is told enough for all of them at their most (replicas, a rolling
    update's extra pod, the web app's autoscaling), or under load some would be refused."""
    compose, kubernetes = _most_processes()
    services = _compose()
    pool = int(services["regie-api"]["environment"]["REGIE_DB_POOL_SIZE"])
    assert services["regie-worker"]["environment"]["REGIE_DB_POOL_SIZE"] == str(pool)
    temporal = [s["environment"] for s in services.values()
                if s.get("image", "").startswith("temporalio/server")]
    assert len(temporal) == 4  # frontend, history, matching, worker
    demand = ((sum(compose.values()) + COMMANDS_AT_ONCE) * connections_at_most(pool) + sum(
        int(env["SQL_MAX_CONNS"]) + int(env["SQL_VIS_MAX_CONNS"]) for env in temporal))
    assert demand + SUPERUSER_RESERVED <= _max_connections(services["postgresql"]["command"])

    manifests, helm = _manifests(), _helm()
    pool = int(manifests["ConfigMap", "regie"]["data"]["REGIE_DB_POOL_SIZE"])
    persistence = helm["config"]["persistence"]
    per_pod = sum(persistence[store]["sql"]["maxConns"] for store in ("default", "visibility"))
    # each Temporal service is a Deployment of the chart's: a rolling update adds a pod (25 %)
    temporal_pods = sum(helm[service]["replicaCount"] + 1
                        for service in ("frontend", "history", "matching", "worker"))
    demand = ((sum(kubernetes.values()) + COMMANDS_AT_ONCE) * connections_at_most(pool)
              + temporal_pods * per_pod)
    [container] = manifests["StatefulSet", "postgresql"]["spec"]["template"]["spec"][
        "containers"]
    assert demand + SUPERUSER_RESERVED <= _max_connections(container["args"])


def test_one_workflow_takes_every_update_sent_to_it_at_once():
    """Every web app sends a round up to SUBMISSIONS_AT_ONCE submissions at a time, and every
    worker the ledger up to LEDGER_UPDATES_AT_ONCE Updates: at the most of them running, the
    Temporal cluster's limit of Updates in flight on one workflow takes them all (beyond it
    the server refuses them; its default is 10)."""
    compose, kubernetes = _most_processes()
    limits = {
        "compose": yaml.safe_load((DEPLOY / "temporal" / "dynamicconfig.yaml").read_text()),
        "kubernetes": _helm()["dynamicConfig"]}
    for where, most in (("compose", compose), ("kubernetes", kubernetes)):
        [limit] = limits[where]["history.maxInFlightUpdates"]
        assert most["regie-api"] * rounds.SUBMISSIONS_AT_ONCE <= limit["value"], where
        assert most["regie-worker"] * LEDGER_UPDATES_AT_ONCE <= limit["value"], where


def test_compose_and_helm_give_temporal_the_same_dynamic_config():
    compose = yaml.safe_load((DEPLOY / "temporal" / "dynamicconfig.yaml").read_text())
    assert _helm()["dynamicConfig"] == compose


@pytest.mark.parametrize("version", KUBERNETES)
def test_every_kubernetes_manifest_is_valid(version):
    """Against the API schema of that release, rejecting fields it does not know (a typo in a
    probe or a volume would otherwise be dropped without a word by an apply)."""
    checked = 0
    for name, doc in _documents():
        if name != "compose.yaml":
            kubernetes_validate.validate(doc, version, strict=True)
            checked += 1
    assert checked >= 10


def test_the_compose_file_follows_the_compose_specification():
    """The schema check-jsonschema carries (vendor.compose-spec): an unknown key in a service,
    which compose would refuse only on the production host, fails here."""
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(DEPLOY / "compose.yaml")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
