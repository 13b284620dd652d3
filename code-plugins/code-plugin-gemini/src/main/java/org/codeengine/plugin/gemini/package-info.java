/** The {@code gemini} expert provider. */
@NullMarked
package org.codeengine.plugin.gemini;

import org.jspecify.annotations.NullMarked;
