/** The executors and health probes that come with CODE: local processes; HTTP, TCP and command probes. */
@NullMarked
package org.codeengine.core.internal.executors;

import org.jspecify.annotations.NullMarked;
