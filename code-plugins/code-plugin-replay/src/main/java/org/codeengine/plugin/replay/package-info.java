/** The {@code replay} expert provider. */
@NullMarked
package org.codeengine.plugin.replay;

import org.jspecify.annotations.NullMarked;
