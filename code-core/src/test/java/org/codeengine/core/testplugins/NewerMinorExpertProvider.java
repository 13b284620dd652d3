package org.codeengine.core.testplugins;

/** A plugin built for a newer minor API version: usable, with a warning. */
public final class NewerMinorExpertProvider extends TestExpertProvider {
    public NewerMinorExpertProvider() {
        super("newer", "1.7");
    }
}
