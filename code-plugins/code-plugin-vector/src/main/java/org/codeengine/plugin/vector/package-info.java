/** Vector kernels on {@code jdk.incubator.vector}. */
@NullMarked
package org.codeengine.plugin.vector;

import org.jspecify.annotations.NullMarked;
