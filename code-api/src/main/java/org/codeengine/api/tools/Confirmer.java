package org.codeengine.api.tools;

import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * Approves or refuses a destructive tool call before it runs: a person asked through MCP elicitation, a panel of
 * experts that votes, or both. The tool registry asks before it runs a tool whose annotations say it is destructive,
 * unless the caller's role may act without asking ({@code tool:unconfirmed:<name>}).
 */
@FunctionalInterface
public interface Confirmer {
    /**
     * {@return whether the person accepted; false when they declined or cancelled}
     *
     * @param question what the call will do, for a person to read; holds no secret argument
     * @throws InterruptedException if the caller was cancelled while waiting for the answer
     */
    boolean confirm(String question) throws InterruptedException;

    /**
     * Decides on one call, knowing its tool and arguments. The tool registry calls this; by default it asks
     * {@link #confirm(String)} the request's question and gives no reason.
     *
     * @param request the call to decide on
     * @return whether it may run, and why not when it may not
     * @throws InterruptedException if the caller was cancelled while waiting for the decision
     */
    default Decision decide(Request request) throws InterruptedException {
        return confirm(request.question()) ? Decision.APPROVED : Decision.refused(null);
    }

    /**
     * One destructive call waiting for approval.
     *
     * @param tool the tool's name
     * @param arguments its arguments as JSON text, with every argument its schema marks secret ({@code writeOnly},
     *        {@code x-secret}) replaced by {@code ***}
     * @param question the question for a person: what the call will do
     */
    record Request(String tool, String arguments, String question) {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field is missing or the tool's name is blank
         */
        public Request {
            Checks.notBlank(tool, "tool");
            Checks.notNull(arguments, "arguments");
            Checks.notBlank(question, "question");
        }
    }

    /**
     * Whether a call may run.
     *
     * @param approved whether it may
     * @param reason why it may not (shown to the caller, an agent's model included; never a secret), or {@code null}
     *        when it may or no reason was given
     */
    record Decision(boolean approved, @Nullable String reason) {
        /** The call may run. */
        public static final Decision APPROVED = new Decision(true, null);

        /**
         * {@return a refusal}
         *
         * @param reason why not, or {@code null}
         */
        public static Decision refused(@Nullable String reason) {
            return new Decision(false, reason);
        }
    }
}
