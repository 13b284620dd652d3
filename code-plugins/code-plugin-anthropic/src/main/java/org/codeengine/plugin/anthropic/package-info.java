/** The {@code anthropic} expert provider. */
@NullMarked
package org.codeengine.plugin.anthropic;

import org.jspecify.annotations.NullMarked;
