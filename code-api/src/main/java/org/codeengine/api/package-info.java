/**
 * The types a host uses across CODE: the call context, configuration records, plugin information, and the exception
 * hierarchy rooted at {@link org.codeengine.api.CodeException}.
 */
@NullMarked
package org.codeengine.api;

import org.jspecify.annotations.NullMarked;
