#!/bin/sh
# Runs a node inside a container: the cluster and event bus bound to the container's own address (the
# other containers reach it there), HTTP on all interfaces, Redis from HWAAS_REDIS, members from HWAAS_MEMBERS.
set -eu
host="${HWAAS_CLUSTER_HOST:-$(hostname -i | awk '{print $1}')}"
exec java ${HWAAS_JAVA_OPTS:-} -Xlog:disable -Xlog:all=warning:stderr -Dhazelcast.logging.type=slf4j \
  --add-modules java.se -jar /app/hwaas.jar --cluster-host "$host" --http-host 0.0.0.0 "$@"
