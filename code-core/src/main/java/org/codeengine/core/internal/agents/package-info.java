/** The agents face: the loop, its journal, the narrowed permission check and role files. */
@NullMarked
package org.codeengine.core.internal.agents;

import org.jspecify.annotations.NullMarked;
