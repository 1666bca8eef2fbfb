#!/usr/bin/env bash
# Build the `py_stats` component: build.sh [OUT.wasm] (default: py_stats.wasm beside this
# file).
# Needs componentize-py (pip install -r requirements.txt); $COMPONENTIZE_PY overrides
# which one is run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/py_stats.wasm}"
componentize_py="${COMPONENTIZE_PY:-componentize-py}"
cd "$here"
export PYTHONDONTWRITEBYTECODE=1
# -d: toolhost's contract; -w: the world every tool implements; app: the module (app.py).
"$componentize_py" -d "$here/../../wit" -w tool-plugin componentize app -o "$out"
