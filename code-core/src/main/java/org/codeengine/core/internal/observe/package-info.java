/** Observability: meters and spans around CODE's calls, and the thresholds that raise alerts on the meters. */
@NullMarked
package org.codeengine.core.internal.observe;

import org.jspecify.annotations.NullMarked;
