package org.codeengine.examples.cli;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.codeengine.api.CallContext;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.events.EventBus;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ObjectNode;

/** {@code code events tail}: CODE's events as the store's outbox keeps them, live with {@code --follow}. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Read CODE's events.", subcommands = {
        EventsCommand.Tail.class}, footer = {"", "Examples:", "  code events tail", "  code events tail --follow",
                "  code events tail --type 'org.codeengine.deployment.*' --json"})
final class EventsCommand extends CommandGroup {
    @Command(name = "tail", mixinStandardHelpOptions = true, description = {
            "Show the latest events from the store's outbox (written with each change, whether the relay has "
                    + "published them yet or not).",
            "With --follow, keep showing new ones as they are written, until Ctrl-C or --timeout."}, footer = {"",
                    "Examples:", "  code events tail -n 50", "  code events tail --follow --type '*.security.*'",
                    "  code events tail --follow --json | jq .type"})
    static final class Tail extends ReadingCommand {
        static final Duration POLL = Duration.ofMillis(250);

        @Option(names = {"-n", "--lines"}, defaultValue = "20", description = "How many of the latest events to show "
                + "first (default: ${DEFAULT-VALUE}).")
        int lines;

        @Option(names = {"-f", "--follow"}, description = "Keep showing new events as they are written.")
        boolean follow;

        @Option(names = {"-t", "--type"}, paramLabel = "PATTERN", defaultValue = "*", description = "Only events whose "
                + "type matches; '*' stands for any characters (default: every type).")
        String type;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, description = "With "
                + "--follow, stop after this long (default: never).")
        @Nullable
        Duration timeout;

        @Mixin
        MetricsOption metrics = new MetricsOption();

        @Override
        int run(Session session) {
            if (lines < 0 || lines > 10_000) {
                throw CliException.usage("-n must be 0 to 10000 but was " + lines, "try -n 20");
            }
            if (metrics.port != null && !follow) {
                throw CliException.usage("--metrics-port serves meters while the command runs: it needs --follow",
                        "add --follow");
            }
            metrics.apply(session);
            EventBus events = session.engine().events();
            CallContext context = session.context();
            List<CloudEvent> first;
            try {
                first = lines == 0 ? List.of() : events.history(context, null, type, lines);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--type: " + e.getMessage(), "try --type 'org.codeengine.deployment.*'");
            }
            Output out = session.out();
            first.forEach(e -> show(out, e));
            if (!follow) {
                if (first.isEmpty() && !out.json()) {
                    out.line("no events" + ("*".equals(type) ? "" : " of type " + type));
                }
                return CodeApp.OK;
            }
            // the newest event of any type marks where following starts, so a filtered tail misses none
            List<CloudEvent> newest = events.history(context, null, "*", 1);
            String after = newest.isEmpty() ? null : newest.getFirst().id();
            long stopAt = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() - stopAt < 0) {
                List<CloudEvent> all;
                try {
                    all = events.history(context, after, "*", 10_000);
                } catch (NotFoundException lost) { // pruned while this tail was behind: say so, go on from the newest
                    out.warn("event " + after + " left the history before the events after it were shown (pruned);"
                            + " events may be missing here; going on from the newest");
                    List<CloudEvent> latest = events.history(context, null, "*", 1);
                    after = latest.isEmpty() ? null : latest.getFirst().id();
                    continue;
                }
                for (CloudEvent e : all) {
                    after = e.id();
                    if (matches(e.type())) {
                        show(out, e);
                    }
                }
                out.out().flush();
                if (all.isEmpty()) {
                    try {
                        Thread.sleep(POLL);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            return CodeApp.OK;
        }

        private boolean matches(String eventType) {
            return eventType.matches(("\\Q" + type + "\\E").replace("*", "\\E.*\\Q"));
        }

        private static void show(Output out, CloudEvent e) {
            if (out.json()) {
                ObjectNode node = Output.object().put("specversion", CloudEvent.SPEC_VERSION).put("id", e.id()).put(
                        "source", e.source()).put("type", e.type()).put("subject", e.subject()).put("time", e.time()
                                .toString())
                        .put("datacontenttype", CloudEvent.CONTENT_TYPE);
                ObjectNode data = node.putObject("data");
                e.data().forEach(data::put);
                out.out()
                        .println(Output.JSON.writer().without(tools.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                                .writeValueAsString(node));
                return;
            }
            String shortType = e.type().startsWith(CloudEvent.PREFIX)
                    ? e.type().substring(CloudEvent.PREFIX.length())
                    : e.type();
            StringBuilder data = new StringBuilder();
            e.data().forEach((k, v) -> data.append(data.isEmpty() ? "" : " ").append(k).append('=').append(Output
                    .safe(v)));
            out.line(String.format(Locale.ROOT, "%s  %-34s %-24s %s", e.time(), shortType, Output.safe(e.subject()),
                    out.dim(data.toString())));
        }
    }
}
