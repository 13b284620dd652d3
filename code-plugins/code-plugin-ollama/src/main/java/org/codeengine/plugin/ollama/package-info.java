/** The {@code ollama} expert provider. */
@NullMarked
package org.codeengine.plugin.ollama;

import org.jspecify.annotations.NullMarked;
