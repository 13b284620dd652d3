/** Internal to code-core; not exported. */
@NullMarked
package org.codeengine.core.internal.plugins;

import org.jspecify.annotations.NullMarked;
