/** Security: principals, credentials, permissions, access decisions, audit entries and secret references. */
@NullMarked
package org.codeengine.api.security;

import org.jspecify.annotations.NullMarked;
