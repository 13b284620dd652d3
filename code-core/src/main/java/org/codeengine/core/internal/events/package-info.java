/** Events: the CloudEvents JSON form, the outbox relay, the in-process bus and the engine's event face. */
@NullMarked
package org.codeengine.core.internal.events;

import org.jspecify.annotations.NullMarked;
