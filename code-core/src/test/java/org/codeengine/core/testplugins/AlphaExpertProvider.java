package org.codeengine.core.testplugins;

/** A well-behaved test plugin named "alpha". */
public final class AlphaExpertProvider extends TestExpertProvider {
    public AlphaExpertProvider() {
        super("alpha", "1.0");
    }
}
