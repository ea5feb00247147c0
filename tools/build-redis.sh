#!/usr/bin/env bash
# Builds the redis-server that the jar ships for Linux x86-64 (src/main/resources/redis/): Redis 7.0.15, the source
# tarball Debian 12 builds its package from (checked by SHA-256), with Redis's own bundled jemalloc and linked
# statically against glibc, so it runs on any Linux x86-64 without libraries of its own.
#
# Why not org.signal:embedded-redis's binary (still used on every other platform): it is a static musl build that
# allocates with musl's malloc. Redis spends most of its time allocating (each command's arguments, each Lua string),
# and profiled under REST batches about 40 % of its CPU was in that libc. The same commands per job cost it 45 to 50 us
# of CPU against 20 to 21 for this build (and for Debian's own package): see README, "Redis".
#
# The build needs a C compiler and make (Debian: build-essential). Nothing here runs when the project builds: the
# binary is committed, so a machine with only a JDK gets it too. Run this again to reproduce or update it; it prints
# the new binary's SHA-256 (the node checks the file it runs against the jar's copy before every start). Two builds
# of the same source and flags differ in a few bytes (Redis stamps a build id), not in what they do.
#
# Usage: tools/build-redis.sh [TARBALL]   (without TARBALL it is downloaded from deb.debian.org)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=7.0.15
SHA256=4b1dc4ee6d622a09fff9c6777191209750fb5e5a725ef78ea012d6eef4c22982
URL="https://deb.debian.org/debian/pool/main/r/redis/redis_${VERSION}.orig.tar.gz"
OUT="src/main/resources/redis/redis-server-${VERSION}-jemalloc-linux-amd64"

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "build-redis: builds on Linux x86-64 only (this is $(uname -s)-$(uname -m))" >&2
  exit 2
fi
for tool in cc make strip; do
  command -v "$tool" >/dev/null || { echo "build-redis: needs $tool (Debian: apt-get install build-essential)" >&2; exit 2; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="${1:-$work/redis.tar.gz}"
if [[ $# -eq 0 ]]; then
  curl -fsSL --max-time 300 -o "$tarball" "$URL"
fi
echo "$SHA256  $tarball" | sha256sum -c --quiet - || { echo "build-redis: $tarball is not the expected source" >&2; exit 1; }

tar xzf "$tarball" -C "$work"
# MALLOC=jemalloc: Redis's bundled jemalloc (its default on Linux), linked in. LDFLAGS=-static: no shared library
# needed at run time; glibc warns that getaddrinfo would then need its NSS modules, which only names (not the numeric
# loopback addresses HWaaS binds and connects to) ever do. No TLS, no systemd: HWaaS uses neither.
make -C "$work/redis-${VERSION}" -j"$(nproc)" MALLOC=jemalloc LDFLAGS=-static BUILD_TLS=no USE_SYSTEMD=no \
  >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; exit 1; }

mkdir -p "$(dirname "$OUT")"
cp "$work/redis-${VERSION}/src/redis-server" "$OUT"
strip "$OUT"
chmod 0755 "$OUT"
# The licences of what the binary is built from, shipped beside it.
{
  for f in COPYING deps/jemalloc/COPYING deps/hiredis/COPYING deps/lua/COPYRIGHT deps/hdr_histogram/LICENSE.txt; do
    if [[ -f "$work/redis-${VERSION}/$f" ]]; then
      printf '==> %s <==\n' "$f"
      cat "$work/redis-${VERSION}/$f"
      printf '\n'
    fi
  done
} >"src/main/resources/redis/LICENSES-redis-server.txt"
"$OUT" --version
sha256sum "$OUT"
