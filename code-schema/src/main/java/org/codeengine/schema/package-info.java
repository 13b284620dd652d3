/** {@link org.codeengine.schema.JsonSchema}: checks a JSON value against a JSON Schema (2020-12). */
@NullMarked
package org.codeengine.schema;

import org.jspecify.annotations.NullMarked;
