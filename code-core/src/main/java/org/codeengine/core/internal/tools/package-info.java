/** The tool registry: every tool provider behind security. */
@NullMarked
package org.codeengine.core.internal.tools;

import org.jspecify.annotations.NullMarked;
