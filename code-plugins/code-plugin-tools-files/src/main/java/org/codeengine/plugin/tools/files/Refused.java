package org.codeengine.plugin.tools.files;

/** A call the file tools refuse; its message names the argument and the rule, and becomes the tool's error result. */
final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
        super(message, null, false, false);
    }
}
