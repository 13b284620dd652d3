/** The {@code docker} step executor. */
@NullMarked
package org.codeengine.plugin.docker;

import org.jspecify.annotations.NullMarked;
