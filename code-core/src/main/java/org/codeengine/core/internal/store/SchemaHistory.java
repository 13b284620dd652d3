package org.codeengine.core.internal.store;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.sql.DataSource;

/**
 * Tells, with one query of the schema history and a look at the names of the migrations this CODE carries, that a
 * store is already at this CODE's schema: every migration applied, each successfully, and none beyond them. Opening
 * such a store needs no migrator, whose scan and validation of every migration cost a short command most of its time
 * in the store. Whatever it cannot tell (no history table, a failed or unknown row, migrations it cannot list) it
 * leaves to the migrator.
 */
final class SchemaHistory {
    /** The table Flyway keeps the applied migrations in. */
    static final String TABLE = "code_schema_history";

    private static final Pattern VERSIONED = Pattern.compile("V([0-9][0-9._]*)__[^/]*\\.sql");
    private static final String CLASSPATH = "classpath:";

    private SchemaHistory() {}

    /**
     * @param store the store's connections
     * @param locations the migrations' locations, as given to the migrator
     * @return the store's schema version when it is exactly what {@code locations} migrate to, else empty
     */
    static Optional<String> currentVersion(DataSource store, List<String> locations) {
        Optional<Set<String>> carried = carriedVersions(locations);
        if (carried.isEmpty()) {
            return Optional.empty();
        }
        Set<String> applied = new HashSet<>();
        try (Connection connection = store.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select \"version\", \"success\" from \"" + TABLE + "\"")) {
            while (rows.next()) {
                String version = rows.getString(1);
                if (version == null) {
                    continue; // the row that records the table's creation
                }
                if (!rows.getBoolean(2) || !applied.add(normalized(version))) {
                    return Optional.empty();
                }
            }
        } catch (SQLException | NumberFormatException e) {
            return Optional.empty(); // no history yet (a new store), or a version the migrator is to judge
        }
        if (!applied.equals(carried.get())) {
            return Optional.empty();
        }
        return applied.stream().max(SchemaHistory::compare);
    }

    /** {@return the versions of the migrations at {@code locations} in this module's jar (or classes folder)} */
    static Optional<Set<String>> carriedVersions(List<String> locations) {
        try {
            return carriedVersions(Path.of(SchemaHistory.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI()), locations);
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * @param source a jar, or a folder of classes and resources
     * @return the versions of the migrations found at {@code locations} in {@code source}, or empty when a location
     *         is not there or holds anything but versioned SQL migrations
     */
    static Optional<Set<String>> carriedVersions(Path source, List<String> locations) {
        Set<String> versions = new HashSet<>();
        for (String location : locations) {
            if (!location.startsWith(CLASSPATH)) {
                return Optional.empty();
            }
            String folder = location.substring(CLASSPATH.length()).replaceAll("^/+|/+$", "");
            List<String> names = Files.isDirectory(source)
                    ? namesInFolder(source.resolve(folder))
                    : namesInJar(
                            source, folder);
            if (names.isEmpty()) {
                return Optional.empty();
            }
            for (String name : names) {
                Matcher m = VERSIONED.matcher(name);
                if (!m.matches() || !versions.add(normalized(m.group(1)))) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(Set.copyOf(versions));
    }

    private static List<String> namesInFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<String> namesInJar(Path jar, String folder) {
        String prefix = folder + "/";
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().map(e -> e.getName()).filter(n -> n.startsWith(prefix) && n.length() > prefix.length())
                    .forEach(n -> names.add(n.substring(prefix.length())));
        } catch (IOException e) {
            return List.of();
        }
        return names;
    }

    /** A version as Flyway compares it: parts split on '.' or '_', numbers without leading zeros, no trailing 0. */
    static String normalized(String version) {
        List<BigInteger> parts = new ArrayList<>();
        for (String part : version.split("[._]")) {
            parts.add(part.isEmpty() ? BigInteger.ZERO : new BigInteger(part));
        }
        while (parts.size() > 1 && parts.getLast().signum() == 0) {
            parts.removeLast();
        }
        return String.join(".", parts.stream().map(BigInteger::toString).toList());
    }

    private static int compare(String a, String b) {
        List<BigInteger> x = parts(a);
        List<BigInteger> y = parts(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            int c = (i < x.size() ? x.get(i) : BigInteger.ZERO).compareTo(i < y.size() ? y.get(i) : BigInteger.ZERO);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static List<BigInteger> parts(String version) {
        return Stream.of(version.split("\\.")).map(BigInteger::new).toList();
    }
}
