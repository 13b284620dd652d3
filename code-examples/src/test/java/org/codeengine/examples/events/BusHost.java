package org.codeengine.examples.events;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.spi.EventBusProvider;
import org.codeengine.api.spi.EventTransport;
import org.codeengine.core.CodeEngine;

/**
 * A host JVM the end-to-end tests SIGKILL: {@code relay <jdbcUrl> <user> <schema> <bus> k=v...} runs an engine that
 * does nothing but relay the store's outbox to the bus; {@code consume <bus> <group> <member> k=v...} joins a group
 * and holds every message it takes without acknowledging it, printing its id. It says {@code ready} once it runs.
 */
public final class BusHost {
    private BusHost() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "relay" -> {
                CodeEngine engine = CodeEngine.builder().store(StoreConfig.jdbc(args[1]).withCredentials(args[2], null)
                        .withSchema(args[3])).adoptOrphanedRuns(false).plugin(EventBusProvider.class, args[4])
                        .eventBus(settings(args, 5)).relay(true, Duration.ofSeconds(1), Duration.ofMillis(20))
                        .build();
                System.out.println("ready " + engine.relaying());
                System.out.flush();
                new CountDownLatch(1).await(); // relays until killed
            }
            case "consume" -> {
                EventTransport bus = provider(args[1]).open(settings(args, 4));
                bus.consume(args[2], args[3], true, m -> {
                    System.out.println("took " + m.id());
                    System.out.flush();
                    try {
                        new CountDownLatch(1).await(); // never acknowledges: killed while it holds it
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                System.out.println("ready");
                System.out.flush();
                new CountDownLatch(1).await();
            }
            default -> throw new IllegalArgumentException("mode must be relay or consume but was " + args[0]);
        }
    }

    static EventBusProvider provider(String name) {
        return ServiceLoader.load(EventBusProvider.class).stream().map(ServiceLoader.Provider::get).filter(p -> p
                .name().equals(name)).findFirst().orElseThrow(() -> new IllegalStateException("no bus plugin "
                        + name));
    }

    static Map<String, String> settings(String[] args, int from) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        return settings;
    }
}
