/** The {@code postgres} and {@code redis} tool providers. */
@NullMarked
package org.codeengine.plugin.tools.data;

import org.jspecify.annotations.NullMarked;
