/** The engine a host builds once: {@link org.codeengine.core.CodeEngine}. */
@NullMarked
package org.codeengine.core;

import org.jspecify.annotations.NullMarked;
