/** The service provider interfaces plugins implement; each is found with java.util.ServiceLoader. */
@NullMarked
package org.codeengine.api.spi;

import org.jspecify.annotations.NullMarked;
