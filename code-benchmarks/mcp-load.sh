#!/usr/bin/env bash
# The MCP load run (issue 25): 64 clients of tools/call over Streamable HTTP on 127.0.0.1, CODE's echo server and the
# official MCP Java SDK's side by side, three alternating rounds. Build the jar first (see README.md); JAVA_HOME (or
# the java on the PATH) must be a JDK 25. Options pass through to McpLoad, e.g. --seconds 20 --rounds 3, or
# --target http://127.0.0.1:8765/mcp --pid PID --tool code_status --arguments '{}' --expect runs --calls 32000.
# Servers run on CPU 0 and the generator on CPU 1 when taskset is there (--pin none to not pin, --pin 0-1/2-3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx1g -cp "$here/target/benchmarks.jar" \
  org.codeengine.benchmarks.mcp.McpLoad "$@"
