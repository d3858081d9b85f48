"""Logs are structured: with REGIE_LOG_FORMAT=json every line a process writes, Regie's own and
the libraries' (uvicorn, the Temporal SDK), is one JSON object a log pipeline can read. The
access log names the page of a mailed link, not its secret token."""

from __future__ import annotations

import json
import subprocess
import sys

PROGRAM = """
import logging
from regie.logging import configure, get_logger
configure("json")
get_logger(grant="SV2027-0001", workflow_id="grant-SV2027-0001", actor="Tessa").info("grant.recorded")
logging.getLogger("uvicorn.error").info("Uvicorn running on http://0.0.0.0:8000")
logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "10.0.0.1:1", "GET", "/healthz", "1.1", 200)
for path in ("/login/reset/eyJ2.SECRET", "/invitations/SECRET?x=1", "/report/SECRET"):
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "10.0.0.1:1", "POST", path, "1.1", 303)
logging.getLogger("temporalio.worker._workflow").warning("Failed activation on workflow")
logging.getLogger("sqlalchemy.engine").info("SELECT 1")  # below the libraries' level: not shown
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("temporalio.activity").exception("Activity failed")
"""


def test_every_line_is_one_json_object_in_production_format():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          timeout=60, check=True)
    lines = [json.loads(line) for line in (done.stdout + done.stderr).splitlines()]
    assert [(line["level"], line["event"].split(" on ")[0]) for line in lines] == [
        ("info", "grant.recorded"), ("info", "Uvicorn running"),
        ("info", '10.0.0.1:1 - "GET /healthz HTTP/1.1" 200'),
        ("info", '10.0.0.1:1 - "POST /login/reset/… HTTP/1.1" 303'),
        ("info", '10.0.0.1:1 - "POST /invitations/…?x=1 HTTP/1.1" 303'),
        ("info", '10.0.0.1:1 - "POST /report/… HTTP/1.1" 303'),
        ("warning", "Failed activation"), ("error", "Activity failed")]
    assert lines[0]["grant"] == "SV2027-0001" and lines[0]["actor"] == "Tessa"
    assert lines[6]["logger"] == "temporalio.worker._workflow"
    assert "ZeroDivisionError" in lines[7]["exception"]
    assert "SECRET" not in done.stdout + done.stderr
    assert all("timestamp" in line for line in lines)


def test_every_route_with_a_token_in_its_path_is_hidden_from_the_access_log():
    from api.app import ROUTERS
    from regie.logging import TOKEN_PATHS

    paths = {route.path for router in ROUTERS for route in router.routes
             if "{token}" in getattr(route, "path", "")}
    assert paths  # invitations, password resets, report forms
    for path in paths:
        shown = TOKEN_PATHS.sub(r"\1…", path.replace("{token}", "SECRET"))
        assert "SECRET" not in shown, path
