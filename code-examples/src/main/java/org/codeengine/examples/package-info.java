/** Example host programs. */
@NullMarked
package org.codeengine.examples;

import org.jspecify.annotations.NullMarked;
