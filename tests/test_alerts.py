"""The alerts of deploy/prometheus/alerts.yml: every expression is PromQL, every rule says how
bad it is and what to do, and every metric an alert reads is one that Regie really exports,
in the web app's /metrics or in the SDK metrics of a worker that has seen a failing activity
and a failing workflow task. An alert on a misspelt metric would never fire."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta

import httpx
import promql_parser
import yaml
from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from api.app import create_app
from regie import ROOT
from regie.settings import Settings
from regie.temporal import connect
from tests.conftest import eventually, free_port, web_client

PROMETHEUS = ROOT / "deploy" / "prometheus"
RULES = [rule for group in yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
         for rule in group["rules"]]
FROM_PROMETHEUS = {"up"}  # what Prometheus records of each scrape itself


def _metrics_read(expr: str) -> set[str]:
    names: set[str] = set()

    def visit(node) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            names.add(node.name)
    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def _exported(text: str) -> set[str]:
    """Metric names in a Prometheus text exposition, with a histogram's _bucket/_sum/_count and
    a counter's _total (a counter with labels has no sample before its first count)."""
    names = set()
    parts = {"histogram": ("bucket", "sum", "count"), "counter": ("total",)}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            names |= {name} | {f"{name}_{part}" for part in parts.get(kind, ())}
        elif line and not line.startswith("#"):
            names.add(line.split("{")[0].split()[0])
    return names


def test_every_rule_parses_and_says_how_bad_and_what_to_do():
    assert len(RULES) >= 8
    for rule in RULES:
        assert _metrics_read(rule["expr"]), rule["alert"]
        assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    assert len({rule["alert"] for rule in RULES}) == len(RULES)
    prometheus = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert prometheus["rule_files"] == ["alerts.yml"]


@activity.defn
async def relay_down() -> None:
    raise ConnectionRefusedError("the mail relay does not answer")


@workflow.defn
class FailingActivity:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(
            relay_down, start_to_close_timeout=timedelta(seconds=5),
            retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=10),
                                     maximum_attempts=2))


@workflow.defn
class FailingTask:
    @workflow.run
    async def run(self) -> None:
        raise RuntimeError("a bug: Temporal retries the task, it does not fail the workflow")


async def test_every_metric_an_alert_reads_is_exported(time_env, tmp_path, db_url, scheme):
    read = set().union(*(_metrics_read(rule["expr"]) for rule in RULES))

    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    web = await web_client(create_app(settings, scheme, time_env.client))
    async with contextlib.aclosing(web):
        await web.get("/grants/SV-NIET-BESTAAND")  # a request of each kind, by route
        app_metrics = (await web.get("/metrics")).text

    address = f"127.0.0.1:{free_port()}"
    client = await connect(time_env.client.service_client.config.target_host,
                           metrics_address=address)
    queue = f"alerts-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[FailingActivity, FailingTask],
                      activities=[relay_down], workflow_runner=UnsandboxedWorkflowRunner()):
        await client.start_workflow(FailingActivity.run, id=f"{queue}-mail", task_queue=queue)
        task = await client.start_workflow(FailingTask.run, id=f"{queue}-bug", task_queue=queue)

        async def failures_counted():
            text = await asyncio.to_thread(lambda: httpx.get(f"http://{address}/metrics").text)
            return text if ("temporal_activity_execution_failed{" in text
                            and "temporal_workflow_task_execution_failed{" in text) else None
        sdk_metrics = await eventually(failures_counted, timeout=30)
        await task.terminate()

    missing = read - FROM_PROMETHEUS - _exported(app_metrics) - _exported(sdk_metrics)
    assert not missing, f"alerts read metrics no one exports: {sorted(missing)}"
