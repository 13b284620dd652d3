/** The {@code docker}, {@code kubernetes} and {@code terraform} tool providers. */
@NullMarked
package org.codeengine.plugin.tools.infra;

import org.jspecify.annotations.NullMarked;
