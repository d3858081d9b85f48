"""Structured logging: JSON in production, readable in a console; lines carry grant and actor."""

from __future__ import annotations

import logging

import structlog


def configure(log_format: str = "console", level: int = logging.INFO) -> None:
    renderer = (structlog.processors.JSONRenderer() if log_format == "json"
                else structlog.dev.ConsoleRenderer(colors=False))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def get_logger(**bound) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger("regie").bind(**bound)
