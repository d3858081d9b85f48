"""The person at the two web apps during deploy/smoke.sh (run inside the image, so it needs
nothing on the host): accepts the first team account's invitation on one web app and enrols its
code on the other, imports the template's grants, settles one, and downloads its letter from
the web app that did not take the settlement."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx

from regie import totp

TOKEN = sys.argv[1]
PASSWORD = "smoke-test-password"
# The two web apps' ports and the two workers' metrics ports, as smoke.sh starts them; the test
# of the same layout (tests/test_smoke_layout.py) starts them on free ports and says which.
API_PORTS = os.environ.get("SMOKE_API_PORTS", "18000,18001").split(",")
METRICS_PORTS = os.environ.get("SMOKE_METRICS_PORTS", "19464,19465").split(",")
api_1, api_2 = (httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
                for port in API_PORTS)


def eventually(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if result := check():
                return result
        except httpx.TransportError:
            pass
        time.sleep(1)
    raise SystemExit(f"not within {seconds} s: {what}")


for api in (api_1, api_2):
    eventually(lambda api=api: api.get("/readyz").status_code == 200, f"{api.base_url} ready")
    api.get("/healthz").raise_for_status()
csrf = api_1.cookies["regie_csrf"]
accepted = api_1.post(f"/invitations/{TOKEN}", data={
    "name": "Smoke Team", "password": PASSWORD, "csrf_token": csrf})
assert accepted.headers.get("location") == "/login/code?next=/team", accepted.text[:500]
api_2.cookies.update(api_1.cookies)  # the second-factor ticket, signed by the shared key
secret = api_2.get("/login/code?next=/team").text.split("data-totp-secret>")[1].split("<")[0]
signed_in = api_2.post("/login/code", data={
    "code": totp.code_at(secret, time.time()), "next": "/team", "csrf_token": csrf})
assert signed_in.headers.get("location") == "/team", signed_in.text[:500]
api_1.cookies.update(api_2.cookies)
assert api_1.get("/team").status_code == 200
print("  the first team account: invited, enrolled, signed in on both web apps")

subprocess.run(["regie", "import", "--as", "team@smoke.example", "docs/import-template.csv"],
               check=True, capture_output=True)
eventually(lambda: "actions/settle" in api_2.get("/grants/SV-2025-011").text,
           "the imported grant SV-2025-011 waiting for its settlement")
settled = api_1.post("/grants/SV-2025-011/actions/settle", data={
    "amount": "55000", "reason": "Conform de eindrapportage.", "csrf_token": csrf})
assert settled.status_code == 303, settled.text[:500]
link = eventually(lambda: re.search(r"/grants/SV-2025-011/letters/\d+",
                                    api_2.get("/grants/SV-2025-011").text),
                  "the settlement letter").group(0)
letter = api_2.get(link)
assert letter.status_code == 200 and letter.content.startswith(b"%PDF-"), letter.status_code
print(f"  5 grants imported; the settlement letter ({len(letter.content)} bytes) written by a "
      "worker, downloaded from the other web app")

metrics = api_1.get("/metrics").text
assert "regie_http_requests_total" in metrics and "regie_grants" in metrics
for port in METRICS_PORTS:
    assert "temporal_" in httpx.get(f"http://127.0.0.1:{port}/metrics").text
print("  metrics: the web app's and both workers' SDK metrics")
