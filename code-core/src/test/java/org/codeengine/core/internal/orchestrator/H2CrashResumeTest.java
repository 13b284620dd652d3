package org.codeengine.core.internal.orchestrator;

import java.util.List;
import org.codeengine.api.StoreConfig;

/** Crash and resume with the embedded H2 file store: the killed host's file lock goes with it. */
class H2CrashResumeTest extends CrashResumeContract {
    @Override
    StoreConfig store() {
        return StoreConfig.h2File(dir.resolve("db/code-db"));
    }

    @Override
    List<String> storeArgs() {
        return List.of("--h2", dir.resolve("db/code-db").toString());
    }
}
