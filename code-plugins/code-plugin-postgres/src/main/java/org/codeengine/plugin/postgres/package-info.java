/** The PostgreSQL store provider. */
@NullMarked
package org.codeengine.plugin.postgres;

import org.jspecify.annotations.NullMarked;
