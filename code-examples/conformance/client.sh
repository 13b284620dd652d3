#!/usr/bin/env bash
# The client command the MCP conformance suite runs: it appends the server URL and names the scenario in
# MCP_CONFORMANCE_SCENARIO.
set -euo pipefail
exec "$(dirname "$0")/java.sh" org.codeengine.examples.mcp.ConformanceClient "$@"
