#!/usr/bin/env bash
# CI's proof of the deployment recipe without a Docker engine: validate the compose file
# with Debian's docker-compose, then run the image's build steps on the host.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v docker-compose >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq docker-compose >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" .env' EXIT
cp env.example .env
POSTGRES_PASSWORD=check docker-compose -f compose.yaml config -q
rm -f .env
echo "compose file: valid"
VENV="$tmp/venv" STATIC_ROOT="$tmp/static" ./build.sh all
echo "image build recipe: ok"
