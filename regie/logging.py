"""Structured logging: JSON in production, readable in a console; lines carry grant and actor."""

from __future__ import annotations

import logging
import re

import structlog

# Links mailed to one person carry a secret token in their path (an invitation, a password
# reset, a report form): the access log keeps the page, not the token.
TOKEN_PATHS = re.compile(r"(/(?:invitations|login/reset|report)/)[^/?\s]+")


class HideLinkTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(TOKEN_PATHS.sub(r"\1…", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


def configure(log_format: str = "console", level: int = logging.INFO) -> None:
    """Regie's own lines, and the libraries' (uvicorn, the Temporal SDK, SQLAlchemy), in one
    format: with `json`, every line a log pipeline reads is a JSON object."""
    renderer = (structlog.processors.JSONRenderer() if log_format == "json"
                else structlog.dev.ConsoleRenderer(colors=False))
    stamped = [structlog.processors.add_log_level,
               structlog.processors.TimeStamper(fmt="iso", utc=True)]
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, *stamped,
                    structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *stamped],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, renderer]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("uvicorn").setLevel(logging.INFO)  # start, stop and access lines
    logging.getLogger("uvicorn.access").addFilter(HideLinkTokens())


def get_logger(**bound) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger("regie").bind(**bound)
