/**
 * The {@code code} command-line app: picocli commands over CODE's public API. {@link CodeApp} is the entry point;
 * each command is one class, registered in {@link CodeCommand}.
 */
@NullMarked
package org.codeengine.examples.cli;

import org.jspecify.annotations.NullMarked;
