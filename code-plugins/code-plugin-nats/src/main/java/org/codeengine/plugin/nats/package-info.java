/** The NATS JetStream event bus. */
@NullMarked
package org.codeengine.plugin.nats;

import org.jspecify.annotations.NullMarked;
