package org.codeengine.benchmarks.mcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A load run of MCP {@code tools/call} over Streamable HTTP on 127.0.0.1: many clients at once, each with its own
 * session (initialize, then calls one after another), from one JDK {@link HttpClient} load generator. Against CODE's
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
    private static final String ACCEPT = "application/json, text/event-stream";

    private McpLoad() {}

    /** Where calls go: a child process this run started, or a server already running. */
    record Target(String name, URI endpoint, long pid, @Nullable Process process) {}

    /** One measured phase: one server, one round. */
    record Phase(String server, int round, long calls, long errors, double seconds, double perSecond, double p50Ms,
            double p99Ms, double cpuUsPerCall, long rssMiB) {}

    /** The run's settings, from the command line. */
    record Settings(int clients, int rounds, double seconds, long calls, double warmup, List<String> servers,
            @Nullable URI target, long pid, String tool, String arguments, String expect, String heap,
            @Nullable String baseline) {

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
                    "seconds", 10), positive(given, "calls", 0), seconds(given, "warmup", 10),
                    List.of(given
                            .getOrDefault("servers", "code,sdk").split(",")),
                    target, positive(given, "pid", 0),
                    given.getOrDefault("tool", "echo"), given.getOrDefault("arguments", "{\"text\":\"hello, tools\"}"),
                    given.getOrDefault("expect", "hello, tools"), given.getOrDefault("heap", "512m"), given.get(
                            "baseline"));
            given.keySet().removeAll(List.of("clients", "rounds", "seconds", "calls", "warmup", "servers", "target",
                    "pid", "tool", "arguments", "expect", "heap", "baseline"));
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown option --" + given.keySet().iterator().next()
                        + " (known: --clients --rounds --seconds --calls --warmup --servers --target --pid --tool"
                        + " --arguments --expect --heap --baseline)");
            }
            for (String server : s.servers) {
                if (!server.equals("code") && !server.equals("sdk")) {
                    throw new IllegalArgumentException("--servers lists code and/or sdk, not '" + server + "'");
                }
            }
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
     *        phase (10), {@code --calls} per phase instead, {@code --warmup} seconds per server (10), {@code --servers}
     *        ({@code code,sdk}), {@code --heap} of the child JVMs (512m), {@code --baseline} a class path (an
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
        try {
            if (settings.target() != null) {
                targets.add(new Target("target", settings.target(), settings.pid(), null));
            } else {
                for (String server : settings.servers()) {
                    targets.add(start(server, settings.heap(), System.getProperty("java.class.path"), server));
                }
                if (settings.baseline() != null) {
                    targets.add(start("code", settings.heap(), settings.baseline(), "base"));
                }
            }
            List<Phase> phases = run(settings, targets);
            System.out.print(report(phases, targets));
        } finally {
            for (Target t : targets) {
                stop(t);
            }
        }
    }

    static List<Phase> run(Settings settings, List<Target> targets) throws InterruptedException {
        System.out.printf(Locale.ROOT, "MCP load: %d clients, tools/call %s over Streamable HTTP, %s per phase, "
                + "%d rounds; load average %s; %d CPUs%n", settings.clients(), settings.tool(),
                settings.calls() > 0
                        ? settings.calls() + " calls"
                        : settings.seconds() + " s",
                settings.rounds(), loadAverage(), Runtime.getRuntime()
                        .availableProcessors());
        Map<String, List<Client>> clients = new LinkedHashMap<>();
        for (Target t : targets) {
            // a client of its own per server: its pool of connections, one per caller, is that server's alone
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration
                    .ofSeconds(5)).build();
            List<Client> each = new ArrayList<>();
            for (int i = 0; i < settings.clients(); i++) {
                each.add(new Client(http, t.endpoint(), settings));
            }
            clients.put(t.name(), each);
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
                Phase p = phase(t, round, clients.get(t.name()), settings.seconds(), settings.calls());
                System.out.println(line(p));
                phases.add(p);
            }
        }
        return phases;
    }

    /** Runs every client of one server at once, for {@code seconds} or until {@code calls} calls in all. */
    static Phase phase(Target target, int round, List<Client> clients, double seconds, long calls)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong left = new AtomicLong(calls > 0 ? calls : Long.MAX_VALUE);
        long[][] latencies = new long[clients.size()][];
        int[] counts = new int[clients.size()];
        long[] errors = new long[clients.size()];
        RuntimeException[] failures = new RuntimeException[1];
        long cpuBefore = cpuNanos(target.pid());
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            int n = i;
            Client client = clients.get(i);
            threads.add(Thread.ofVirtual().name("load-" + i).start(() -> {
                long[] mine = new long[4096];
                int count = 0;
                try {
                    while (!stop.get() && left.getAndDecrement() > 0) {
                        long t0 = System.nanoTime();
                        boolean ok = client.call();
                        long took = System.nanoTime() - t0;
                        if (!ok) {
                            errors[n]++;
                        }
                        if (count == mine.length) {
                            mine = Arrays.copyOf(mine, count * 2);
                        }
                        mine[count++] = took;
                    }
                } catch (RuntimeException e) {
                    synchronized (failures) {
                        failures[0] = e;
                    }
                    stop.set(true);
                }
                latencies[n] = mine;
                counts[n] = count;
            }));
        }
        if (calls <= 0) {
            Thread.sleep((long) (seconds * 1000));
            stop.set(true);
        }
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - start;
        long cpuAfter = cpuNanos(target.pid());
        if (failures[0] != null) {
            throw new IllegalStateException(target.name() + ": a call failed: " + failures[0].getMessage(),
                    failures[0]);
        }
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int i = 0; i < clients.size(); i++) {
            System.arraycopy(latencies[i], 0, all, at, counts[i]);
            at += counts[i];
        }
        Arrays.sort(all);
        double secs = elapsed / 1e9;
        double cpu = cpuBefore < 0 || cpuAfter < 0 || total == 0 ? Double.NaN : (cpuAfter - cpuBefore) / 1e3 / total;
        return new Phase(target.name(), round, total, Arrays.stream(errors).sum(), secs, total / secs, percentile(all,
                0.50) / 1e6, percentile(all, 0.99) / 1e6, cpu, rssMiB(target.pid()));
    }

    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.clamp(index, 0, sorted.length - 1)];
    }

    /** One MCP client: its own session, one call at a time. */
    static final class Client {
        private final HttpClient http;
        private final URI endpoint;
        private final String tool;
        private final String arguments;
        private final String expect;
        private @Nullable String session;
        private long id;

        Client(HttpClient http, URI endpoint, Settings settings) {
            this.http = http;
            this.endpoint = endpoint;
            this.tool = settings.tool();
            this.arguments = settings.arguments();
            this.expect = settings.expect();
        }

        /** {@return whether the answer was the tool's result holding the expected text (not an error)} */
        boolean call() {
            if (session == null) {
                open();
            }
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + (++id)
                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments
                    + "}}";
            HttpResponse<String> response = post(body);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("tools/call answered HTTP " + response.statusCode() + ": " + clip(
                        response.body()));
            }
            String answer = data(response);
            return answer.contains("\"result\"") && !answer.contains("\"isError\":true") && answer.contains(expect);
        }

        private void open() {
            HttpResponse<String> response = post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                    + "\"params\":{\"protocolVersion\":\"" + VERSION + "\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"mcp-load\",\"version\":\"1\"}}}");
            String id = response.headers().firstValue("Mcp-Session-Id").orElse(null);
            if (response.statusCode() != 200 || id == null || !data(response).contains("\"result\"")) {
                throw new IllegalStateException("initialize answered HTTP " + response.statusCode() + " without a "
                        + "session: " + clip(response.body()));
            }
            session = id;
            HttpResponse<String> initialized = post(
                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            if (initialized.statusCode() != 202) {
                throw new IllegalStateException("notifications/initialized answered HTTP " + initialized
                        .statusCode());
            }
        }

        private HttpResponse<String> post(String body) {
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30)).header(
                    "Content-Type", "application/json").header("Accept", ACCEPT).POST(HttpRequest.BodyPublishers
                            .ofString(body));
            if (session != null) {
                request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
            }
            try {
                try {
                    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    // once more, on a new connection: a server may close one that idled in the pool while the other
                    // server had its turn
                    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("POST " + endpoint + " failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        /** {@return the JSON-RPC message of an answer, whether it came as JSON or as one SSE event} */
        private static String data(HttpResponse<String> response) {
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (!type.startsWith("text/event-stream")) {
                return response.body();
            }
            StringBuilder data = new StringBuilder();
            for (String line : response.body().split("\n")) {
                if (line.startsWith("data:") && line.contains("\"jsonrpc\"")) {
                    data.append(line.substring(5).strip());
                }
            }
            return data.toString();
        }
    }

    private static String clip(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    /**
     * @param classPath where the server's classes come from: this run's, or an earlier build's (the baseline)
     * @param name what the report calls it
     */
    static Target start(String server, String heap, String classPath, String name) throws IOException {
        String main = server.equals("code") ? EchoServer.class.getName() : SdkEchoServer.class.getName();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC", "-cp", classPath, main));
        if (server.equals("code")) {
            command.add("--http");
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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
                        + "  RSS %4d MiB  load %s",
                p.round(), p.server(), p.calls(), p.errors(), p.perSecond(), p.p50Ms(), p.p99Ms(), p.cpuUsPerCall(),
                p.rssMiB(), loadAverage());
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
