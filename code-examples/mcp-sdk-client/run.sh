#!/usr/bin/env bash
# Runs client.mjs, an MCP client written with the official TypeScript SDK (@modelcontextprotocol/sdk), on the Node 22
# that scripts/mcp-conformance installs. The first run installs that Node (through scripts/mcp-conformance) and the SDK
# with npm into a cache folder (CODE_CACHE, default ~/.cache/code); later runs reuse both. Arguments go to client.mjs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SUITE_VERSION="${MCP_CONFORMANCE_VERSION:-0.1.16}"
SDK_VERSION="${MCP_SDK_VERSION:-1.32.2}"
cache="${CODE_CACHE:-$HOME/.cache/code}"
node="$cache/mcp-conformance-$SUITE_VERSION/node_modules/node/bin/node"
if [ ! -x "$node" ] || ! "$node" --version >/dev/null 2>&1; then
  # the conformance runner's first run installs Node 22 there; its help is enough to trigger it
  bash "$here/../../scripts/mcp-conformance" --help >/dev/null 2>&1 || true
fi
dir="$cache/mcp-sdk-client-$SDK_VERSION"
if [ ! -f "$dir/node_modules/@modelcontextprotocol/sdk/package.json" ]; then
  mkdir -p "$dir"
  printf '{ "name": "code-mcp-sdk-client", "private": true, "type": "module" }\n' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "@modelcontextprotocol/sdk@$SDK_VERSION" >&2)
fi
cp "$here/client.mjs" "$dir/client.mjs"
exec "$node" "$dir/client.mjs" "$@"
