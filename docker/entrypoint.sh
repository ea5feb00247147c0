#!/bin/sh
# Runs a node inside a container: the cluster and event bus bound to the container's own address (the
# other containers reach it there), HTTP on all interfaces of the container (compose publishes it on the host's
# 127.0.0.1 only), Redis from HWAAS_REDIS, members from HWAAS_MEMBERS.
# Secrets: HWAAS_TOKEN or HWAAS_TOKEN_FILE (required), HWAAS_REDIS_PASSWORD (written to a 0600 file the node reads,
# so it appears on no command line). HWAAS_INSECURE_CLUSTER=yes for a private container network without a keystore.
set -eu
if [ -z "${HWAAS_TOKEN:-}" ] && [ -z "${HWAAS_TOKEN_FILE:-}" ]; then
  echo "hwaas: set HWAAS_TOKEN (at least 16 characters) or HWAAS_TOKEN_FILE; the container has no default token" >&2
  exit 2
fi
host="${HWAAS_CLUSTER_HOST:-$(hostname -i | awk '{print $1}')}"
set -- --cluster-host "$host" --http-host 0.0.0.0 "$@"
if [ -n "${HWAAS_REDIS_PASSWORD:-}" ]; then
  umask 077
  secret=$(mktemp)
  printf '%s\n' "$HWAAS_REDIS_PASSWORD" > "$secret"
  unset HWAAS_REDIS_PASSWORD
  set -- --redis-password-file "$secret" "$@"
fi
if [ "${HWAAS_INSECURE_CLUSTER:-no}" = "yes" ]; then
  set -- --insecure-cluster "$@"
fi
exec java ${HWAAS_JAVA_OPTS:-} -Xlog:disable -Xlog:all=warning:stderr -Dhazelcast.logging.type=slf4j \
  --add-modules java.se -jar /app/hwaas.jar "$@"
