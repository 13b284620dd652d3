/** The {@code files} tool provider: file tools confined by the kernel to configured roots. */
@NullMarked
package org.codeengine.plugin.tools.files;

import org.jspecify.annotations.NullMarked;
