/** Reading YAML and JSON configuration with errors that name the field and the rule. */
@NullMarked
package org.codeengine.core.internal.config;

import org.jspecify.annotations.NullMarked;
