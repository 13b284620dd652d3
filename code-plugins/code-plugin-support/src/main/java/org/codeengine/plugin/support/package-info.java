/** Shared parts of the LLM provider plugins. */
@NullMarked
package org.codeengine.plugin.support;

import org.jspecify.annotations.NullMarked;
