/** The {@code kubernetes} step executor. */
@NullMarked
package org.codeengine.plugin.kubernetes;

import org.jspecify.annotations.NullMarked;
