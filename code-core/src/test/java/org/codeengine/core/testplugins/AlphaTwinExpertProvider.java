package org.codeengine.core.testplugins;

/** A second plugin that claims the name "alpha". */
public final class AlphaTwinExpertProvider extends TestExpertProvider {
    public AlphaTwinExpertProvider() {
        super("alpha", "1.0");
    }
}
