/** Vector kernels in C, reached through the FFM API. */
@NullMarked
package org.codeengine.plugin.nativekernels;

import org.jspecify.annotations.NullMarked;
