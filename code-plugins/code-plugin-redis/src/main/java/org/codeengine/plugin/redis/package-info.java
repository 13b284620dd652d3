/** The Redis Streams event bus. */
@NullMarked
package org.codeengine.plugin.redis;

import org.jspecify.annotations.NullMarked;
