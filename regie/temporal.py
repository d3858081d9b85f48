"""Connecting to Temporal: one data converter for client, worker and replayer."""

from __future__ import annotations

from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.namespace.v1 import NamespaceConfig
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, UpdateNamespaceRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError, RPCStatusCode

from workflows import search

DATA_CONVERTER = pydantic_data_converter

# How long a page waits for a workflow to answer a query before it renders without it (from the
# read model, or saying Temporal cannot answer): with no worker polling, the server would hold
# the query for about 30 s.
PAGE_QUERY_TIMEOUT = timedelta(seconds=5)


def grant_workflow_id(reference: str) -> str:
    return f"grant-{reference}"


async def connect(address: str, namespace: str = "default",
                  metrics_address: str = "") -> Client:
    """A client; with `metrics_address` (host:port), the SDK serves its Prometheus metrics
    (workflow and activity task latencies, failures, polls) there for this process."""
    runtime = None
    if metrics_address:
        runtime = Runtime(telemetry=TelemetryConfig(
            metrics=PrometheusConfig(bind_address=metrics_address)))
    return await Client.connect(address, namespace=namespace, data_converter=DATA_CONVERTER,
                                runtime=runtime)


def search_attribute_flags() -> list[str]:
    """`temporal server start-dev` arguments that register Regie's search attributes."""
    flags: list[str] = []
    for key in search.ALL:
        flags += ["--search-attribute", f"{key.name}=Keyword"]
    return flags


async def register_search_attributes(client: Client, namespace: str = "default") -> None:
    """Register the search attributes on a server that has not got them (a cluster, the
    time-skipping test server); existing ones are left alone."""
    try:
        existing = set((await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace))).custom_attributes)
    except RPCError as exc:  # the time-skipping server can add but not list them
        if exc.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        existing = set()
    missing = {k.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for k in search.ALL
               if k.name not in existing}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )


async def ensure_history_retention(client: Client, namespace: str, at_least: timedelta) -> None:
    """Keep closed workflows' histories in the namespace for `at_least` (a dev server keeps
    them 24 hours): long enough for the retention workflow to copy each closed grant's history
    into Regie's database (regie.histories) before Temporal removes it."""
    described = await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=namespace))
    if described.config.workflow_execution_retention_ttl.ToTimedelta() >= at_least:
        return
    retention = Duration()
    retention.FromTimedelta(at_least)
    await client.workflow_service.update_namespace(UpdateNamespaceRequest(
        namespace=namespace, config=NamespaceConfig(workflow_execution_retention_ttl=retention)))
