package org.codeengine.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the session built from the root's options, opened and closed around its work. */
abstract class BaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** {@return the root command, holding the inherited options} */
    final CodeCommand root() {
        return (CodeCommand) spec.root().userObject();
    }

    @Override
    public final Integer call() {
        CodeCommand root = root();
        Output out = new Output(root.io, root.json, root.noColor);
        try (Session session = new Session(root.io, out, root.home, root.store, readsOnly())) {
            return run(session);
        }
    }

    /**
     * @return whether the command only reads the store: it then opens a store already at this CODE's schema without
     *         the migrator's scan and validation of every migration (a store behind is migrated all the same)
     */
    boolean readsOnly() {
        return false;
    }

    /**
     * Does the command's work.
     *
     * @param session the invocation's settings, streams and engine
     * @return the exit code
     */
    abstract int run(Session session);
}
