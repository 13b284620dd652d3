package org.codeengine.core.internal.agents;

import java.nio.file.Path;
import org.codeengine.api.CallContext;
import org.codeengine.api.agents.AgentRun;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Agents;
import org.codeengine.api.tools.Confirmer;
import org.jspecify.annotations.Nullable;

/** The agents face. */
public final class DefaultAgents implements Agents {
    @Override
    public AgentRun run(CallContext context, AgentSpec spec, String task, @Nullable Confirmer person) {
        throw new UnsupportedOperationException("the agent loop is not built yet");
    }

    @Override
    public AgentRun resume(CallContext context, String runId, @Nullable Confirmer person) {
        throw new UnsupportedOperationException("the agent loop is not built yet");
    }

    @Override
    public void cancel(CallContext context, String runId) {
        throw new UnsupportedOperationException("the agent loop is not built yet");
    }

    @Override
    public AgentSpec load(Path file) {
        return RoleCodec.load(file);
    }

    @Override
    public AgentSpec parse(String text, String source) {
        return RoleCodec.parse(text, source);
    }
}
