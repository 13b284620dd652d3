/**
 * The secret scanner's parts: the keyword automaton that decides which rules run where, the rules and their
 * precision checks, the gitleaks-format configuration reader, and the streaming scan of files and folders.
 */
@NullMarked
package org.codeengine.core.internal.security.secrets;

import org.jspecify.annotations.NullMarked;
