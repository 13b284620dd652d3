/** The {@code command} tool provider: allow-listed executables run without a shell, their process trees bounded. */
@NullMarked
package org.codeengine.plugin.tools.command;

import org.jspecify.annotations.NullMarked;
