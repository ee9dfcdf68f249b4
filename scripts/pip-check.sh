#!/usr/bin/env bash
# `pip check`, except for the packages of requirements-models.lock: those are installed for
# their model files without their dependencies on purpose (their code is never imported).
set -uo pipefail
python=${1:?usage: pip-check.sh PYTHON}
cd "$(dirname "$0")/.."
skip=$(sed -n 's/^\([A-Za-z0-9_.-]*\)==.*/\1/p' requirements-models.lock | paste -sd'|')
report=$("$python" -m pip check 2>&1)
problems=$(printf '%s\n' "$report" | grep -v -i -E "^($skip) [^ ]+ requires " | grep -v '^No broken requirements' || true)
if [ -n "$problems" ]; then
  printf '%s\n' "$problems"
  exit 1
fi
echo "pip check: no broken requirements (model-only packages: ${skip//|/, })"
