/** Security as far as the other faces need it before the security face proper exists. */
@NullMarked
package org.codeengine.core.internal.security;

import org.jspecify.annotations.NullMarked;
