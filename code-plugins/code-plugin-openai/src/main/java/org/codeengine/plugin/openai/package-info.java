/** The {@code openai} expert provider. */
@NullMarked
package org.codeengine.plugin.openai;

import org.jspecify.annotations.NullMarked;
