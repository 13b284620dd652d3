#!/usr/bin/env bash
# Starts the MCP conformance fixture server on http://127.0.0.1:PORT/mcp and runs until killed.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: server.sh PORT" >&2; exit 2; }
exec "$(dirname "$0")/java.sh" org.codeengine.examples.mcp.ConformanceServer "$1"
