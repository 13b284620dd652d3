/** Events that leave the process: CloudEvents 1.0 of CODE's state changes, and the bus that carries them. */
@NullMarked
package org.codeengine.api.events;

import org.jspecify.annotations.NullMarked;
