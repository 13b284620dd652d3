package org.codeengine.plugin.support;

import org.codeengine.api.AuthenticationException;
import org.codeengine.api.CodeException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.UnavailableException;

/** What step executors share in their errors: a failure names the service it happened to. */
public final class StepErrors {
    private StepErrors() {}

    /**
     * {@return {@code e}, if its message already names a service; else the same kind of error, saying
     *     {@code service '<service>': <message>}; an error of no other kind becomes an {@link UnavailableException}}
     *
     * @param service the service's name
     * @param e what went wrong
     */
    public static CodeException withService(String service, CodeException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("service '")) {
            return e;
        }
        String message = "service '" + service + "': " + e.getMessage();
        return switch (e) {
            case InvalidRequestException i -> new InvalidRequestException(message, i);
            case NotFoundException n -> new NotFoundException(message, n);
            case AuthenticationException a -> new AuthenticationException(message, a);
            case PolicyDeniedException p -> new PolicyDeniedException(message, p);
            default -> new UnavailableException(message, null, e);
        };
    }
}
