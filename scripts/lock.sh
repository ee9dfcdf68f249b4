#!/usr/bin/env bash
# Re-resolve every dependency into requirements.lock (exact versions + sha256 hashes).
# Run it deliberately (`make lock`), review the diff, test, and commit it on its own:
# installs never resolve anything themselves, so a fresh clone gets exactly what CI tested.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8
TOOL=.venv-lock
test -x "$TOOL/bin/uv" || { python3 -m venv "$TOOL" && "$TOOL/bin/pip" install --quiet "uv==$UV_VERSION"; }
"$TOOL/bin/uv" pip compile pyproject.toml scripts/build-requirements.in --extra test \
  --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
  --no-header --quiet -o requirements.lock "$@"
echo "requirements.lock: $(grep -c '==' requirements.lock) packages pinned"
"$TOOL/bin/uv" pip compile scripts/models-requirements.in --no-deps \
  --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
  --no-header --quiet -o requirements-models.lock
echo "requirements-models.lock: $(grep -c '==' requirements-models.lock) packages pinned (no dependencies)"
