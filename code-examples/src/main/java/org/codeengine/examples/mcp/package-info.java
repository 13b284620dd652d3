/** MCP examples: the conformance fixture server and client, and CODE's faces as MCP tools. */
@NullMarked
package org.codeengine.examples.mcp;

import org.jspecify.annotations.NullMarked;
