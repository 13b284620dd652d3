/** Validation helpers of the API's records; not exported. */
@NullMarked
package org.codeengine.api.internal;

import org.jspecify.annotations.NullMarked;
