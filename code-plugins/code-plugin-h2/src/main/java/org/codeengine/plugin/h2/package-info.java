/** The H2 store provider. */
@NullMarked
package org.codeengine.plugin.h2;

import org.jspecify.annotations.NullMarked;
