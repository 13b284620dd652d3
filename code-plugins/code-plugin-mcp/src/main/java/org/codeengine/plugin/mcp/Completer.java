package org.codeengine.plugin.mcp;

import java.util.List;
import java.util.Map;

/** Suggests values for an argument of a prompt or a variable of a resource template ({@code completion/complete}). */
@FunctionalInterface
public interface Completer {
    /**
     * {@return suggestions, best first; the server sends at most 100}
     *
     * @param value what the user typed so far
     * @param context the values of the other arguments already chosen
     */
    List<String> complete(String value, Map<String, String> context);
}
