#!/bin/sh
# Runs a node inside a container: cluster and HTTP bound to the container's own address, Redis from HWAAS_REDIS.
set -eu
host="${HWAAS_CLUSTER_HOST:-$(hostname -i | awk '{print $1}')}"
exec java ${HWAAS_JAVA_OPTS:-} -Dhazelcast.logging.type=slf4j --add-modules java.se -jar /app/hwaas.jar \
  --cluster-host "$host" --members "${HWAAS_MEMBERS:-$host}" --http-host 0.0.0.0 "$@"
