"""The deployment files agree with the code they deploy: every REGIE_ setting they set exists,
every probe and scrape path is a route of the app, the workers' grace period covers their
graceful shutdown, the image holds every package and data folder Regie reads, and every web
app and worker shares the one data folder, compose file follows the Compose Specification,
and every Kubernetes manifest is valid, strictly, for the oldest and the newest Kubernetes it is
meant for."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import kubernetes_validate
import pytest
import yaml

from api.app import ROUTERS
from regie import ROOT
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
            volumes = {v["name"]: v["persistentVolumeClaim"]["claimName"]
                       for v in pod["volumes"]}
            [mount] = pod["containers"][0]["volumeMounts"]
            assert volumes[mount["name"]] == "regie-data" and mount["mountPath"] == data_dir


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
