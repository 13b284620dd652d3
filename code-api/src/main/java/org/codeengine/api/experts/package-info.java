/** The circle of experts: a query, each expert's answer, and the consensus. */
@NullMarked
package org.codeengine.api.experts;

import org.jspecify.annotations.NullMarked;
