package org.codeengine.plugin.docker;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.InvalidRequestException;
import org.jspecify.annotations.Nullable;

/**
 * An image reference as Docker's reference grammar allows it: {@code [registry[:port]/]path[:tag][@digest]}, the path
 * in lower case.
 *
 * @param repository the registry and path: {@code registry.example.com:5000/team/web}
 * @param tag the tag, or {@code null}
 * @param digest the digest ({@code sha256:...}), or {@code null}
 */
record ImageName(String repository, @Nullable String tag, @Nullable String digest) {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*"
            + "[a-zA-Z0-9])?)*(?::[0-9]+)?";
    private static final Pattern REFERENCE = Pattern.compile("((?:" + DOMAIN + "/)?" + COMPONENT + "(?:/" + COMPONENT
            + ")*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?");

    /**
     * @param text the {@code image} setting
     * @throws InvalidRequestException naming the setting if it is not an image reference
     */
    static ImageName parse(String text) {
        Matcher m = REFERENCE.matcher(text.strip());
        if (!m.matches() || m.group(1).length() > 255) {
            throw new InvalidRequestException("setting 'image' must be an image reference like busybox,"
                    + " registry.example.com/team/web:1.2 or name@sha256:<digest> (lower-case path, at most 255"
                    + " characters) but was '" + text + "'", null);
        }
        return new ImageName(m.group(1), m.group(2), m.group(3));
    }

    /** {@return what a pull names after the repository: the digest if there is one, else the tag ({@code latest})} */
    String tagOrDigest() {
        return digest != null ? digest : tag != null ? tag : "latest";
    }

    /**
     * {@return the registry the image is pulled from: its first path part when that looks like a host (holds a
     *     {@code .} or {@code :}, or is {@code localhost}), as Docker reads it; else Docker Hub}
     */
    String registry() {
        int slash = repository.indexOf('/');
        if (slash > 0) {
            String first = repository.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return first;
            }
        }
        return "https://index.docker.io/v1/";
    }

    @Override
    public String toString() {
        return repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
