package org.codeengine.core.testplugins;

/** A plugin whose constructor throws, as one with a missing dependency or bad static state would. */
public final class BrokenExpertProvider extends TestExpertProvider {
    public BrokenExpertProvider() {
        super("broken", "1.0");
        throw new IllegalStateException("cannot start: missing native library");
    }
}
