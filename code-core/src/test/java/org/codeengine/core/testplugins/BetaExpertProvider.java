package org.codeengine.core.testplugins;

/** A well-behaved test plugin named "beta". */
public final class BetaExpertProvider extends TestExpertProvider {
    public BetaExpertProvider() {
        super("beta", "1.0");
    }
}
