package org.codeengine.core.internal.gate;

import java.util.Locale;
import java.util.Objects;
import org.codeengine.api.CallContext;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;
import org.jspecify.annotations.Nullable;

/**
 * The person behind a run approves each destructive call of an agent, through the confirmer the run was given (MCP
 * elicitation when the run came over MCP); the answer is audited as {@code gate:person:<tool>}. Without a confirmer
 * nobody can be asked, and every destructive call is refused with that reason.
 */
public final class PersonGate implements Confirmer {
    private final @Nullable Confirmer person;
    private final CallContext context;
    private final String agent;
    private final DefaultOrchestrator.Audit audit;

    /**
     * @param person asks the person, or null when nobody can be asked
     * @param context the caller of the run
     * @param agent the agent's name, for the audit entry
     * @param audit where the answers are recorded
     */
    public PersonGate(@Nullable Confirmer person, CallContext context, String agent, DefaultOrchestrator.Audit audit) {
        this.person = person;
        this.context = Objects.requireNonNull(context, "context");
        this.agent = Objects.requireNonNull(agent, "agent");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /**
     * {@return a confirmer that approves when both approve, with the reason of the first that refused}
     *
     * @param first asked first
     * @param then asked only when {@code first} approved
     */
    public static Confirmer both(Confirmer first, Confirmer then) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(then, "then");
        return new Confirmer() {
            @Override
            public boolean confirm(String question) throws InterruptedException {
                return first.confirm(question) && then.confirm(question);
            }

            @Override
            public Decision decide(Request request) throws InterruptedException {
                Decision decision = first.decide(request);
                return decision.approved() ? then.decide(request) : decision;
            }
        };
    }

    @Override
    public boolean confirm(String question) throws InterruptedException {
        return decide(new Request("unnamed", "{}", question)).approved();
    }

    @Override
    public Decision decide(Request request) throws InterruptedException {
        String action = "gate:person:" + request.tool().toLowerCase(Locale.ROOT);
        if (person == null) {
            String why = "the agent's gate needs a person's approval, and nobody can be asked (run it where a person "
                    + "can answer, such as an MCP client with elicitation)";
            audit.record(context.principal().id(), action, request.tool(), Outcome.DENIED,
                    "agent=" + agent + " " + why);
            return Decision.refused(why);
        }
        Decision decision = person.decide(request);
        audit.record(context.principal().id(), action, request.tool(), decision.approved()
                ? Outcome.SUCCESS
                : Outcome.DENIED,
                "agent=" + agent + " person "
                        + (decision.approved() ? "approved" : "declined") + (decision.reason() == null
                                ? ""
                                : ": " + decision.reason()));
        return decision.approved()
                ? decision
                : Decision.refused(decision.reason() == null
                        ? "the person declined"
                        : decision.reason());
    }
}
