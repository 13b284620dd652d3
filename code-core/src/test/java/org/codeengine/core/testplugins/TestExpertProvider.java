package org.codeengine.core.testplugins;

import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;

/** Base of the test plugins: a name and an API version, and no client (discovery tests never ask for one). */
public abstract class TestExpertProvider implements ExpertProvider {
    private final String name;
    private final String apiVersion;

    protected TestExpertProvider(String name, String apiVersion) {
        this.name = name;
        this.apiVersion = apiVersion;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String apiVersion() {
        return apiVersion;
    }

    @Override
    public ExpertClient create(ProviderConfig config) {
        throw new UnsupportedOperationException("discovery tests do not create clients");
    }
}
