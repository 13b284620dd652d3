/** The protocol machinery: JSON-RPC, sessions, transports, schema validation and OAuth. Not API. */
@NullMarked
package org.codeengine.plugin.mcp.internal;

import org.jspecify.annotations.NullMarked;
