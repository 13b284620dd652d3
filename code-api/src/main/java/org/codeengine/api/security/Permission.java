package org.codeengine.api.security;

import java.util.Locale;
import org.codeengine.api.internal.Checks;

/**
 * A permission of the form {@code domain:action:instance}, such as {@code deploy:run:prod},
 * {@code expert:query:*} or {@code tool:call:search}. A part may be {@code *} (any) only in a grant; each other part is
 * lower case and may not hold {@code :}, {@code ,} or {@code *}, so a tool or environment name can never widen a grant.
 *
 * @param domain the area: {@code deploy}, {@code expert}, {@code tool}, {@code audit}, ...
 * @param action what is done in it: {@code run}, {@code query}, {@code call}, ...
 * @param instance which thing it is done to, or {@code *}
 */
public record Permission(String domain, String action, String instance) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a part is blank, not lower case, or holds {@code :}, {@code ,} or a partial {@code *}
     */
    public Permission {
        checkPart(domain, "domain");
        checkPart(action, "action");
        checkPart(instance, "instance");
    }

    /**
     * {@return the parsed permission}
     *
     * @param text {@code domain:action} or {@code domain:action:instance}; a missing instance means {@code *}
     * @throws IllegalArgumentException if {@code text} does not have two or three valid parts
     */
    public static Permission parse(String text) {
        Checks.notNull(text, "permission");
        String[] parts = text.split(":", -1);
        return switch (parts.length) {
            case 2 -> new Permission(parts[0], parts[1], "*");
            case 3 -> new Permission(parts[0], parts[1], parts[2]);
            default -> throw new IllegalArgumentException(
                    "permission must be domain:action[:instance] but was '" + text + "'");
        };
    }

    private static void checkPart(String part, String field) {
        Checks.notBlank(part, field);
        if (part.equals("*")) {
            return;
        }
        if (part.contains(":") || part.contains(",") || part.contains("*")) {
            throw new IllegalArgumentException(field + " must not contain ':', ',' or '*' but was '" + part + "'");
        }
        if (!part.equals(part.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(field + " must be lower case but was '" + part + "'");
        }
    }

    @Override
    public String toString() {
        return domain + ":" + action + ":" + instance;
    }
}
