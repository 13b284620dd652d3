/** The {@code http} tool provider. */
@NullMarked
package org.codeengine.plugin.tools.http;

import org.jspecify.annotations.NullMarked;
