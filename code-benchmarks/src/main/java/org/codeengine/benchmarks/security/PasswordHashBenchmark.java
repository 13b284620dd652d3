package org.codeengine.benchmarks.security;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.codeengine.core.internal.security.Passwords;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Argon2id password hash at OWASP's minimum cost (19 MiB, 2 passes, 1 lane), the work of every login and of
 * opening the vault with a passphrase: CODE's own implementation on the JDK ({@code impl=code}) against Bouncy
 * Castle's ({@code bouncycastle}), which core used before and which stays here only as this baseline. Both give the
 * same tag. Target: {@code code} no slower than {@code bouncycastle} (ratio ≤ 1.0); the machine limit is memory
 * bandwidth, 2 passes over 19 MiB read and written.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@Threads(1)
public class PasswordHashBenchmark {
    private static final byte[] PASSWORD = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SALT = "CODE-store-salt!".getBytes(StandardCharsets.US_ASCII);

    @Param({"code", "bouncycastle"})
    public String impl;

    @Benchmark
    public byte[] hash() {
        Passwords.Cost cost = Passwords.Cost.OWASP;
        if (impl.equals("code")) {
            return Passwords.argon2id(PASSWORD, SALT, null, null, cost, 32);
        }
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(
                Argon2Parameters.ARGON2_VERSION_13).withMemoryAsKB(cost.memoryKiB()).withIterations(cost.iterations())
                .withParallelism(cost.parallelism()).withSalt(SALT).build());
        byte[] out = new byte[32];
        generator.generateBytes(PASSWORD, out);
        return out;
    }
}
