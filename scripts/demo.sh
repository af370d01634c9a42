#!/usr/bin/env bash
# make demo: placeholder until the daemon lands.
set -euo pipefail
"$1/berth" || true
