#!/usr/bin/env bash
# The production build recipe, in one place. The Dockerfile runs it inside the image;
# CI runs it on the host (outside Docker) so the recipe itself is tested.
#
#   docker/build.sh assets   npm ci + build the staff UI's assets
#   docker/build.sh python   a virtualenv with the runtime requirements and gunicorn
#   docker/build.sh static   collectstatic and Django's deployment checks
#   docker/build.sh          all three
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-/opt/venv}
step=${1:-all}

assets() {
  npm ci --omit=dev --no-audit --no-fund
  node frontend/build.mjs
}

python_env() {
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r requirements.txt
}

static() {
  # Build-time values only: the real ones come from the environment at run time.
  export DEBUG=0 SECRET_KEY=build-only-secret-key-not-used-at-runtime-0123456789abcdef ALLOWED_HOSTS=localhost
  "$VENV/bin/python" manage.py collectstatic --noinput -v0
  "$VENV/bin/python" manage.py check --deploy --fail-level WARNING
}

case "$step" in
  assets) assets ;;
  python) python_env ;;
  static) static ;;
  all) assets; python_env; static ;;
  *) echo "usage: $0 [assets|python|static|all]" >&2; exit 2 ;;
esac
