/** Internal to code-core; not exported. */
@NullMarked
package org.codeengine.core.internal.store;

import org.jspecify.annotations.NullMarked;
