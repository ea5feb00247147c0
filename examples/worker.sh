#!/bin/sh
# An external HWaaS worker in shell: curl and jq (Debian: apt-get install curl jq).
# Takes jobs of the declared type "reverse" one at a time and completes each with its text reversed.
#   HWAAS_API=http://127.0.0.1:8080 HWAAS_TOKEN=... examples/worker.sh [TYPE]
set -eu
API=${HWAAS_API:-http://127.0.0.1:8080}
TYPE=${1:-reverse}
post() { curl -sS --fail-with-body -X POST -H "Authorization: Bearer $HWAAS_TOKEN" -H 'Content-Type: application/json' -d "$2" "$API$1"; }

while :; do
  jobs=$(post "/api/work/$TYPE/fetch" '{"max": 10, "wait": 20}') || { echo "fetch failed; retrying" >&2; sleep 1; continue; }
  echo "$jobs" | jq -c '.jobs[]' | while read -r job; do
    lease=$(echo "$job" | jq -r .lease)
    # The work: here, reverse the payload's text. A failure would be: post "/api/work/$lease/fail" '{"error": "..."}'
    result=$(echo "$job" | jq -c '{result: {reversed: (.payload.text | explode | reverse | implode)}}')
    post "/api/work/$lease/complete" "$result" >/dev/null || echo "$(echo "$job" | jq -r .id): not completed" >&2
  done
done
