/** CODE's own vector kernels: the plain Java fallback. */
@NullMarked
package org.codeengine.core.internal.vector;

import org.jspecify.annotations.NullMarked;
