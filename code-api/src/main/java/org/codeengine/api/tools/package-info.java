/** Tools: descriptors, results and the registry that calls them behind security. */
@NullMarked
package org.codeengine.api.tools;

import org.jspecify.annotations.NullMarked;
