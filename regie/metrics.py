"""Prometheus metrics of the web app: requests by route (count and latency), and on each scrape
the grants by stage, the mails waiting in the outbox and the histories lost. The worker's
metrics come from the Temporal SDK itself (`REGIE_SDK_METRICS_ADDRESS`)."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest,
)
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie import histories
from regie.overview import stage_counts
from regie.records import OutboxMail

CONTENT_TYPE = CONTENT_TYPE_LATEST


class AppMetrics:
    """One registry per app, so several apps in one process (tests) keep their own figures."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("regie_http_requests", "HTTP requests by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "regie_http_request_seconds", "HTTP request latency by route", ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry)
        self.grants = Gauge("regie_grants", "Submitted applications by stage", ["stage"],
                            registry=self.registry)
        self.outbox = Gauge("regie_mail_pending", "E-mails not yet handed to the relay",
                            registry=self.registry)
        self.csp_violations = Counter(
            "regie_csp_violations", "What browsers reported the Content-Security-Policy "
            "blocked on Regie's pages, by directive", ["directive"], registry=self.registry)
        self.lost = Gauge("regie_histories_lost",
                          "Closed workflows whose history Temporal removed before Regie kept it",
                          registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    async def render(self, db: AsyncSession) -> bytes:
        self.grants.clear()
        for stage, count in (await stage_counts(db)).items():
            self.grants.labels(stage).set(count)
        self.outbox.set((await db.exec(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.status == "pending"))).one())
        self.lost.set(await histories.lost_count(db))
        return generate_latest(self.registry)
