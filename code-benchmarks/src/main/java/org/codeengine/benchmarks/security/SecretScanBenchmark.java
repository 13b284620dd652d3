package org.codeengine.benchmarks.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.codeengine.api.security.SecretFinding;
import org.codeengine.core.internal.security.secrets.DefaultRules;
import org.codeengine.core.internal.security.secrets.Rule;
import org.codeengine.core.internal.security.secrets.ScanEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The secret scanner's throughput on one core, on 1,000,000 ASCII characters (1 MB, so operations per second read as
 * MB/s) of source-like lines whose words include the rules' keywords ({@code key}, {@code token}, {@code secret},
 * {@code password}…), as code does: {@code corpus=clean} holds no secret, {@code corpus=onePercent} holds one on 1% of
 * its lines. {@code impl=automaton} is CODE's scanner (one keyword automaton pass, then each rule's RE2/J regex on the
 * lines its keywords sit on); {@code impl=patternPerRule} is the baseline a user would write: each rule's regex
 * compiled with {@code java.util.regex} and run over the whole text. Target: at least 20 MB/s per core on clean text.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class SecretScanBenchmark {
    static final int SIZE = 1_000_000;
    private static final String[] WORDS = {"return", "value", "final", "String", "int", "config", "load", "user",
            "name", "key", "token", "map", "list", "get", "set", "if", "else", "for", "new", "this", "secret",
            "password",
            "client", "request", "response", "error", "log", "info", "public", "private", "static", "void", "null",
            "true", "false", "id", "path", "file", "read", "write", "data", "auth", "header", "url", "host", "port",
            "timeout", "retry", "count", "size", "index", "buffer", "stream", "api", "access", "session", "cache"};
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    @Param({"automaton", "patternPerRule"})
    public String impl;

    @Param({"clean", "onePercent"})
    public String corpus;

    String text;
    ScanEngine engine;
    List<Pattern> patterns;

    @Setup
    public void setUp() {
        text = corpus(new Random(21), corpus.equals("onePercent") ? 100 : 0);
        engine = DefaultRules.engine();
        patterns = new ArrayList<>();
        for (Rule rule : engine.rules()) {
            try {
                patterns.add(Pattern.compile(rule.regex().pattern()));
            } catch (PatternSyntaxException e) {
                // RE2 syntax java.util.regex lacks: that rule is left out of the baseline, which only flatters it
            }
        }
        int found = impl.equals("automaton") ? automaton().size() : patternPerRule();
        if (corpus.equals("onePercent") && found == 0) {
            throw new IllegalStateException("the corpus's secrets were not found: " + impl);
        }
    }

    /** Source-like lines; every {@code every}-th one (if {@code every} > 0) assigns a secret. */
    static String corpus(Random random, int every) {
        StringBuilder s = new StringBuilder(SIZE + 200);
        int line = 0;
        while (s.length() < SIZE) {
            line++;
            if (every > 0 && line % every == 0) {
                s.append(secretLine(random, line)).append('\n');
                continue;
            }
            s.append("    ".repeat(random.nextInt(4)));
            int words = 3 + random.nextInt(9);
            for (int w = 0; w < words; w++) {
                s.append(WORDS[random.nextInt(WORDS.length)]);
                s.append(switch (random.nextInt(6)) {
                    case 0 -> ".";
                    case 1 -> "(";
                    case 2 -> " = ";
                    case 3 -> ", ";
                    default -> " ";
                });
            }
            s.append(random.nextInt(1000)).append(";\n");
        }
        return s.substring(0, SIZE);
    }

    private static String secretLine(Random random, int line) {
        return switch (line / 100 % 5) {
            case 0 -> "aws_access_key_id = AKIA" + random(random, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
            case 1 -> "GITHUB_TOKEN=ghp_" + random(random, ALNUM, 36);
            case 2 -> "  slack: \"xoxb-" + random(random, "0123456789", 12) + "-" + random(random, "0123456789", 13)
                    + "-" + random(random, ALNUM, 24) + "\"";
            case 3 -> "export GITLAB_TOKEN=glpat-" + random(random, ALNUM, 20);
            default -> "String apiKey = \"" + random(random, ALNUM, 32) + "\";";
        };
    }

    private static String random(Random random, String alphabet, int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    @Benchmark
    public int scan() {
        return impl.equals("automaton") ? automaton().size() : patternPerRule();
    }

    private List<SecretFinding> automaton() {
        return engine.scan(text, "bench.java");
    }

    private int patternPerRule() {
        int found = 0;
        for (Pattern p : patterns) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                found++;
            }
        }
        return found;
    }
}
