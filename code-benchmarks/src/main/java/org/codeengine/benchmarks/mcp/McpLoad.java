package org.codeengine.benchmarks.mcp;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A load run of MCP {@code tools/call} over Streamable HTTP on 127.0.0.1: many clients at once, each with its own
 * session (initialize, then calls one after another), from one load generator ({@link LoadClients}: one thread,
 * keep-alive connections). Against CODE's
 * {@link EchoServer} and the official MCP Java SDK's {@link SdkEchoServer}, each in a child JVM with the same options,
 * measured side by side in one run: a warm-up of each, then rounds in which the two take turns (the order alternates
 * from round to round), so both see the same machine load. Each phase reports requests per second, p50 and p99
 * latency, the server process's CPU time per request and its resident memory; each round the ratios CODE / SDK.
 *
 * <p>
 * Target (issue 25): CODE at least 2x the SDK's requests per second with a lower p99, and flat over three rounds.
 * {@code --target URL --tool NAME} measures a server already running instead (e.g. {@code code mcp serve --http}
 * serving {@code code_status}), with {@code --pid} for its CPU and memory; {@code --calls N} ends each round after N
 * calls rather than after a time. Run it with {@code code-benchmarks/mcp-load.sh} (see the README).
 */
public final class McpLoad {
    private static final String VERSION = "2025-11-25";

    private McpLoad() {}

    /** Where calls go: a child process this run started, or a server already running. */
    record Target(String name, URI endpoint, long pid, @Nullable Process process) {}

    /** One measured phase: one server, one round; {@code loadCpuUsPerCall} is the generator's own CPU per call. */
    record Phase(String server, int round, long calls, long errors, double seconds, double perSecond, double p50Ms,
            double p99Ms, double cpuUsPerCall, long rssMiB, double loadCpuUsPerCall) {}

    /**
     * Which CPUs the servers and the generator run on ({@code taskset} lists), the same for every server; null fields
     * when nothing is pinned. {@code --pin auto} (the default) puts the servers on CPU 0 and the generator on CPU 1
     * when {@code taskset} is there and the machine has two CPUs or more; {@code --pin none} pins nothing;
     * {@code --pin SERVER/LOAD} names both lists, such as {@code 0-1/2-3}.
     */
    record Pinning(@Nullable String server, @Nullable String load) {
        private static final Pattern CPUS = Pattern.compile(
                "[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*");

        static Pinning of(String pin) {
            if (pin.equals("none")) {
                return new Pinning(null, null);
            }
            if (pin.equals("auto")) {
                return taskset() != null && Runtime.getRuntime().availableProcessors() >= 2
                        ? new Pinning("0", "1")
                        : new Pinning(null, null);
            }
            String[] parts = pin.split("/", -1);
            if (parts.length != 2 || !CPUS.matcher(parts[0]).matches() || !CPUS.matcher(parts[1]).matches()) {
                throw new IllegalArgumentException("--pin must be auto, none or SERVER/LOAD CPU lists such as 0/1, "
                        + "not '" + pin + "'");
            }
            if (taskset() == null) {
                throw new IllegalArgumentException("--pin " + pin + " needs taskset, which is not on the PATH");
            }
            return new Pinning(parts[0], parts[1]);
        }

        /** {@return the command that starts a server, under {@code taskset} when pinned} */
        List<String> server(List<String> command) {
            if (server == null) {
                return command;
            }
            List<String> pinned = new ArrayList<>(List.of(taskset().toString(), "-c", server));
            pinned.addAll(command);
            return pinned;
        }

        /** Pins every thread of this JVM (the generator's), and those it starts later, to the load CPUs. */
        void generator() throws IOException, InterruptedException {
            if (load == null) {
                return;
            }
            Process p = new ProcessBuilder(taskset().toString(), "-a", "-p", "-c", load, Long.toString(
                    ProcessHandle.current().pid())).redirectErrorStream(true).redirectOutput(
                            ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor() != 0) {
                throw new IOException("taskset could not pin the generator to CPUs " + load);
            }
        }

        private static @Nullable Path taskset() {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
                Path candidate = Path.of(dir, "taskset");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return server == null ? "not pinned" : "servers on CPUs " + server + ", generator on CPUs " + load;
        }
    }

    /** The run's settings, from the command line. */
    record Settings(int clients, int rounds, double seconds, long calls, double warmup, List<String> servers,
            @Nullable URI target, long pid, String tool, String arguments, String expect, String heap,
            @Nullable String baseline, String pin) {

        static Settings parse(String[] args) {
            Map<String, String> given = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 == args.length) {
                    throw new IllegalArgumentException("arguments come as --name value pairs; '" + args[i]
                            + "' has no value");
                }
                given.put(args[i].substring(2), args[++i]);
            }
            URI target = given.containsKey("target") ? URI.create(given.get("target")) : null;
            Settings s = new Settings(positive(given, "clients", 64), positive(given, "rounds", 3), seconds(given,
                    "seconds", 10), positive(given, "calls", 0), seconds(given, "warmup", 30),
                    List.of(given
                            .getOrDefault("servers", "code,sdk").split(",")),
                    target, positive(given, "pid", 0),
                    given.getOrDefault("tool", "echo"), given.getOrDefault("arguments", "{\"text\":\"hello, tools\"}"),
                    given.getOrDefault("expect", "hello, tools"), given.getOrDefault("heap", "512m"), given.get(
                            "baseline"),
                    given.getOrDefault("pin", "auto"));
            given.keySet().removeAll(List.of("clients", "rounds", "seconds", "calls", "warmup", "servers", "target",
                    "pid", "tool", "arguments", "expect", "heap", "baseline", "pin"));
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown option --" + given.keySet().iterator().next()
                        + " (known: --clients --rounds --seconds --calls --warmup --servers --target --pid --tool"
                        + " --arguments --expect --heap --baseline --pin)");
            }
            for (String server : s.servers) {
                if (!server.equals("code") && !server.equals("sdk")) {
                    throw new IllegalArgumentException("--servers lists code and/or sdk, not '" + server + "'");
                }
            }
            Pinning.of(s.pin); // its rule, checked now
            return s;
        }

        private static int positive(Map<String, String> given, String name, int fallback) {
            return (int) number(given, name, fallback, 1, "a whole number of at least 1");
        }

        private static double seconds(Map<String, String> given, String name, double fallback) {
            return number(given, name, fallback, 0, "a number of seconds, 0 or more");
        }

        private static double number(Map<String, String> given, String name, double fallback, double least,
                String rule) {
            String value = given.get(name);
            if (value == null) {
                return fallback;
            }
            try {
                double d = least >= 1 ? Integer.parseInt(value) : Double.parseDouble(value);
                if (d >= least) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("--" + name + " must be " + rule + ", not '" + value + "'");
        }
    }

    /**
     * @param args {@code --name value} pairs: {@code --clients} (64), {@code --rounds} (3), {@code --seconds} per
     *        phase (10), {@code --calls} per phase instead, {@code --warmup} seconds per server (30: the SDK's server warms up slowly), {@code --servers}
     *        ({@code code,sdk}), {@code --heap} of the child JVMs (512m), {@code --pin} ({@code auto}, {@code none} or
     *        {@code SERVER/LOAD} CPU lists), {@code --baseline} a class path (an
     *        earlier build's benchmarks jar) whose CODE echo server runs too, as {@code base}; or {@code --target URL} with {@code --pid},
     *        {@code --tool}, {@code --arguments} (JSON) and {@code --expect} (text the answer must hold)
     * @throws Exception if a server does not start or a call fails
     */
    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<Target> targets = new ArrayList<>();
        Pinning pin = Pinning.of(settings.pin());
        try {
            if (settings.target() != null) {
                // a server already running keeps its CPUs; the generator is pinned only when told where
                pin = settings.pin().equals("auto") ? new Pinning(null, null) : pin;
                targets.add(new Target("target", settings.target(), settings.pid(), null));
            } else {
                for (String server : settings.servers()) {
                    targets.add(start(server, settings.heap(), System.getProperty("java.class.path"), server, pin));
                }
                if (settings.baseline() != null) {
                    targets.add(start("code", settings.heap(), settings.baseline(), "base", pin));
                }
            }
            pin.generator();
            List<Phase> phases = run(settings, targets, pin);
            System.out.print(report(phases, targets));
        } finally {
            for (Target t : targets) {
                stop(t);
            }
        }
    }

    static List<Phase> run(Settings settings, List<Target> targets, Pinning pin) throws IOException {
        System.out.printf(Locale.ROOT, "MCP load: %d clients, tools/call %s over Streamable HTTP, %s per phase, "
                + "%d rounds; load average %s; %d CPUs for the generator; %s%n", settings.clients(), settings.tool(),
                settings.calls() > 0
                        ? settings.calls() + " calls"
                        : settings.seconds() + " s",
                settings.rounds(), loadAverage(), Runtime.getRuntime().availableProcessors(), pin);
        Map<String, LoadClients> clients = new LinkedHashMap<>();
        try {
            for (Target t : targets) {
                // connections and sessions of its own per server
                LoadClients each = new LoadClients(t.endpoint(), settings.clients(), VERSION, settings.tool(),
                        settings.arguments(), settings.expect());
                clients.put(t.name(), each);
                only(targets, t);
                each.open();
                if (settings.warmup() > 0) {
                    Phase warm = phase(t, 0, each, settings.warmup(), 0);
                    System.out.println(line(warm) + "  (warm-up)");
                }
            }
            List<Phase> phases = new ArrayList<>();
            for (int round = 1; round <= settings.rounds(); round++) {
                List<Target> order = new ArrayList<>(targets);
                if (round % 2 == 0) {
                    order = order.reversed();
                }
                for (Target t : order) {
                    only(targets, t);
                    Phase p = phase(t, round, clients.get(t.name()), settings.seconds(), settings.calls());
                    System.out.println(line(p));
                    phases.add(p);
                }
            }
            return phases;
        } finally {
            only(targets, null);
            for (LoadClients c : clients.values()) {
                c.close();
            }
        }
    }

    /**
     * Lets only {@code running} of the servers this run started take CPU: the others are stopped (SIGSTOP) until their
     * own phase, so a server that is still compiling or collecting after its phase does not take the CPU it shares with
     * the server being measured (both run on the same CPUs when pinned). {@code null} lets all run again.
     */
    private static void only(List<Target> targets, @Nullable Target running) throws IOException {
        for (Target t : targets) {
            if (t.process() != null && t.process().isAlive()) {
                signal(t.pid(), t == running || running == null ? "-CONT" : "-STOP");
            }
        }
    }

    private static void signal(long pid, String signal) throws IOException {
        try {
            int exit = new ProcessBuilder("kill", signal, Long.toString(pid)).redirectErrorStream(true).start()
                    .waitFor();
            if (exit != 0) {
                throw new IOException("kill " + signal + " " + pid + " exited " + exit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling " + pid, e);
        }
    }

    /** Runs every client of one server at once, for {@code seconds} or until {@code calls} calls in all. */
    static Phase phase(Target target, int round, LoadClients clients, double seconds, long calls) throws IOException {
        long cpuBefore = cpuNanos(target.pid());
        long ownBefore = cpuNanos(ProcessHandle.current().pid());
        LoadClients.Result result;
        try {
            result = clients.run(seconds, calls);
        } catch (RuntimeException e) {
            throw new IllegalStateException(target.name() + ": a call failed: " + e.getMessage(), e);
        }
        long cpuAfter = cpuNanos(target.pid());
        long ownAfter = cpuNanos(ProcessHandle.current().pid());
        long[] all = result.latencies();
        Arrays.sort(all);
        int total = all.length;
        double secs = result.elapsedNanos() / 1e9;
        double cpu = cpuBefore < 0 || cpuAfter < 0 || total == 0 ? Double.NaN : (cpuAfter - cpuBefore) / 1e3 / total;
        return new Phase(target.name(), round, total, result.errors(), secs, total / secs, percentile(all, 0.50)
                / 1e6, percentile(all, 0.99) / 1e6, cpu, rssMiB(target.pid()),
                total == 0
                        ? Double.NaN
                        : (ownAfter - ownBefore) / 1e3 / total);
    }

    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.clamp(index, 0, sorted.length - 1)];
    }

    /**
     * @param classPath where the server's classes come from: this run's, or an earlier build's (the baseline)
     * @param name what the report calls it
     */
    static Target start(String server, String heap, String classPath, String name, Pinning pin) throws IOException {
        String main = server.equals("code") ? EchoServer.class.getName() : SdkEchoServer.class.getName();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC", "-cp", classPath, main));
        if (server.equals("code")) {
            command.add("--http");
        }
        Process process = new ProcessBuilder(pin.server(command)).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String first = out.readLine();
        while (first != null && !first.startsWith("endpoint ")) {
            first = out.readLine(); // Jetty may log first
        }
        if (first == null) {
            process.destroy();
            throw new IOException("the " + server + " echo server did not start");
        }
        Thread.ofVirtual().start(() -> drain(out));
        return new Target(name, URI.create(first.substring("endpoint ".length())), process.pid(), process);
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // the child's later output is not needed
            }
        } catch (IOException e) {
            // the child ended
        }
    }

    static void stop(Target target) throws InterruptedException {
        Process p = target.process();
        if (p == null) {
            return;
        }
        try {
            p.getOutputStream().close(); // the echo servers stop when their stdin closes
        } catch (IOException e) {
            // already gone
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {@return the process's CPU time (user and system) in nanoseconds, or -1 when it is not known} */
    static long cpuNanos(long pid) {
        if (pid <= 0) {
            return -1;
        }
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
    }

    /** {@return the process's resident set in MiB (Linux), or -1} */
    static long rssMiB(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process ended
        }
        return -1;
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return String.format(Locale.ROOT, "%.2f", java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static String line(Phase p) {
        return String.format(Locale.ROOT,
                "round %d  %-6s %8d calls %5d errors  %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  CPU %6.1f µs/call"
                        + "  RSS %4d MiB  generator %5.1f µs/call  load %s",
                p.round(), p.server(), p.calls(), p.errors(), p.perSecond(), p.p50Ms(), p.p99Ms(), p.cpuUsPerCall(),
                p.rssMiB(), p.loadCpuUsPerCall(), loadAverage());
    }

    /** {@return the ratios CODE / SDK per round, and how flat each server stayed over the rounds} */
    static String report(List<Phase> phases, List<Target> targets) {
        StringBuilder out = new StringBuilder();
        Map<Integer, Map<String, Phase>> byRound = new LinkedHashMap<>();
        for (Phase p : phases) {
            byRound.computeIfAbsent(p.round(), r -> new LinkedHashMap<>()).put(p.server(), p);
        }
        for (Map.Entry<Integer, Map<String, Phase>> round : byRound.entrySet()) {
            Phase code = round.getValue().get("code");
            for (String other : List.of("sdk", "base")) {
                Phase them = round.getValue().get(other);
                if (code != null && them != null) {
                    out.append(String.format(Locale.ROOT,
                            "round %d  code / %s: requests/s %.2fx  p99 %.2fx  CPU per call %.2fx%n", round.getKey(),
                            other, code.perSecond() / them.perSecond(), code.p99Ms() / them.p99Ms(), code
                                    .cpuUsPerCall() / them.cpuUsPerCall()));
                }
            }
        }
        for (Target t : targets) {
            double[] rates = phases.stream().filter(p -> p.server().equals(t.name())).mapToDouble(Phase::perSecond)
                    .toArray();
            if (rates.length > 1) {
                out.append(String.format(Locale.ROOT, "%s over %d rounds: last / first requests/s %.2f, min / max "
                        + "%.2f%n", t.name(), rates.length, rates[rates.length - 1] / rates[0],
                        Arrays.stream(rates)
                                .min().orElseThrow() / Arrays.stream(rates).max().orElseThrow()));
            }
        }
        return out.toString();
    }
}
