package org.codeengine.benchmarks.security;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.security.Principal;
import org.codeengine.core.internal.security.Jwt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/** Verifying an ES256 access token: every check of the JWT attack suite plus the ECDSA P-256 signature. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
@Threads(1)
public class JwtVerifyBenchmark {
    Jwt jwt;
    String token;

    @Setup
    public void setUp() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = ec.generateKeyPair();
        jwt = new Jwt(List.of(new Jwt.KeyConfig("k1", "ES256", key.getPublic(), key.getPrivate())), "k1",
                new Jwt.Settings("code", "code", "at+jwt", Duration.ofSeconds(30)), Clock.systemUTC(),
                new SecureRandom());
        token = jwt.issue(new Principal("svc", Principal.Kind.SERVICE, Set.of("ops")), Duration.ofHours(1)).reveal();
    }

    @Benchmark
    public Principal verifyEs256() {
        return jwt.verify(token);
    }
}
