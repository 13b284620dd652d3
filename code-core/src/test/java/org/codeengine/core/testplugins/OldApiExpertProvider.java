package org.codeengine.core.testplugins;

/** A plugin built for an older major API version. */
public final class OldApiExpertProvider extends TestExpertProvider {
    public OldApiExpertProvider() {
        super("old", "0.9");
    }
}
