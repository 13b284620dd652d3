package org.codeengine.examples.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code code audit}, {@code code keys}): on its own it is a usage error. */
abstract class CommandGroup implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        String name = spec.qualifiedName(" ");
        throw CliException.usage("'" + name + "' needs a command: " + String.join(", ", spec.subcommands().keySet()
                .stream().filter(c -> !c.equals("help")).toList()), "see '" + name + " --help'");
    }
}
