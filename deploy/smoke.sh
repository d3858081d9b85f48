#!/bin/sh
# Smoke test of a built image before a rollout, in the process layout of compose.yaml: the
# release job, then two web apps and two workers sharing one data volume, against a throwaway
# Temporal server and an empty PostgreSQL database that you name. Needs Docker and python3 on
# the host; the containers use the host's network, so 127.0.0.1 is the host.
#
#   docker build -f deploy/Dockerfile -t regie:candidate .
#   temporal server start-dev --headless &
#   REGIE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/regie_smoke \
#   REGIE_TEMPORAL_ADDRESS=127.0.0.1:7233 deploy/smoke.sh regie:candidate
#
# It checks, with every container on a read-only root and without capabilities: migrations and
# search attributes; `regie invite` giving the first team account, which enrols its second
# factor across the two web apps; an import of the template's grants that the workers take on;
# a settlement whose letter, written by a worker, downloads from a web app; /healthz, /readyz
# and both kinds of metrics; JSON log lines only; and that every container stops on SIGTERM
# with exit code 0.
set -eu
IMAGE=${1:-regie:latest}
: "${REGIE_DATABASE_URL:?name an empty PostgreSQL database}"
: "${REGIE_TEMPORAL_ADDRESS:?name a Temporal frontend}"
HERE=$(cd "$(dirname "$0")" && pwd)
RUN=regie-smoke-$$
ENV_FILE=$(mktemp)
trap 'docker rm -f $(docker ps -aq --filter "name=$RUN") >/dev/null 2>&1 || true;
      docker volume rm "$RUN-data" >/dev/null 2>&1 || true; rm -f "$ENV_FILE"' EXIT

cat >"$ENV_FILE" <<EOF
REGIE_DATABASE_URL=$REGIE_DATABASE_URL
REGIE_TEMPORAL_ADDRESS=$REGIE_TEMPORAL_ADDRESS
REGIE_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
REGIE_BASE_URL=http://127.0.0.1:18000
REGIE_LOG_FORMAT=json
REGIE_SHOW_OUTBOX=false
EOF
# As compose.yaml and k8s/regie.yaml run it: a read-only root with /tmp, no capabilities
HARDENED="--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges"
regie() { docker run --rm $HARDENED --network host --env-file "$ENV_FILE" \
                 -v "$RUN-data:/var/lib/regie" "$@"; }
start() { name=$1; shift
          docker run -d $HARDENED --name "$RUN-$name" --network host --env-file "$ENV_FILE" \
                 -v "$RUN-data:/var/lib/regie" "$@" >/dev/null; }

echo "release job"
regie "$IMAGE" migrate
regie "$IMAGE" register-search-attributes
LINK=$(regie "$IMAGE" invite team@smoke.example --name "Smoke Team" | tail -1)

echo "two workers, two web apps"
start worker-1 -e REGIE_SDK_METRICS_ADDRESS=127.0.0.1:19464 "$IMAGE" worker
start worker-2 -e REGIE_SDK_METRICS_ADDRESS=127.0.0.1:19465 "$IMAGE" worker
start api-1 "$IMAGE" api --port 18000
start api-2 "$IMAGE" api --port 18001

echo "the first account, an import and a settlement letter"
regie -v "$HERE/smoke_drive.py:/smoke_drive.py:ro" --entrypoint python3 "$IMAGE" \
      /smoke_drive.py "${LINK##*/}"

echo "SIGTERM"
for name in worker-1 worker-2 api-1 api-2; do
    docker stop -t 30 "$RUN-$name" >/dev/null
    code=$(docker inspect -f '{{.State.ExitCode}}' "$RUN-$name")
    [ "$code" = 0 ] || { echo "$name exited with $code"; docker logs --tail 20 "$RUN-$name"; exit 1; }
    docker logs "$RUN-$name" 2>&1 | python3 -c '
import json, sys
lines = [line for line in sys.stdin if line.strip()]
for line in lines:
    json.loads(line)  # fails on a line that is not one JSON object
events = [json.loads(line)["event"] for line in lines]
assert any(e == "worker.stopped" or e.startswith("Finished server process") for e in events), events[-3:]
print(f"  {sys.argv[1]}: exit 0, {len(lines)} JSON log lines")' "$name"
done
echo "smoke test passed: $IMAGE"
