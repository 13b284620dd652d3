/** The circle of experts: fan-out to providers, answer extraction, consensus strategies, axioms. */
@NullMarked
package org.codeengine.core.internal.experts;

import org.jspecify.annotations.NullMarked;
