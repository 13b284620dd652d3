package com.example.sampleplugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.ProbeResult;

/**
 * Healthy when a service's ready file exists and, if {@code contains} is set, holds that text (in its first 64 KiB).
 * Settings: {@code path} (required, absolute), {@code contains}.
 */
public final class FileProbe implements HealthProbe {
    private static final Set<String> SETTINGS = Set.of("path", "contains");
    private static final int MAX_READ = 64 * 1024;

    /** The probe as ServiceLoader makes it. */
    public FileProbe() {}

    @Override
    public String name() {
        return "sample-file";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public void validate(Map<String, String> settings) {
        path(settings);
    }

    private static Path path(Map<String, String> settings) {
        Settings.onlyKnown(settings, SETTINGS);
        String text = settings.get("path");
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException("setting 'path' is required", null);
        }
        try {
            Path path = Path.of(text);
            if (path.isAbsolute()) {
                return path;
            }
        } catch (InvalidPathException e) {
            // the message below says what is wanted
        }
        throw new InvalidRequestException("setting 'path' must be an absolute path but was '" + text + "'", null);
    }

    @Override
    public ProbeResult probe(Map<String, String> settings, Duration timeout) {
        Path path = path(settings);
        String contains = settings.get("contains");
        long began = System.nanoTime();
        if (!Files.isRegularFile(path)) {
            return new ProbeResult(false, "no file " + path, took(began));
        }
        if (contains == null) {
            return new ProbeResult(true, "file " + path + " exists", took(began));
        }
        try (var in = Files.newInputStream(path)) {
            String head = new String(in.readNBytes(MAX_READ), StandardCharsets.UTF_8);
            return head.contains(contains)
                    ? new ProbeResult(true, "file " + path + " holds '" + contains + "'", took(began))
                    : new ProbeResult(false, "file " + path + " does not hold '" + contains + "'", took(began));
        } catch (IOException e) {
            return new ProbeResult(false, "cannot read " + path + ": " + e.getMessage(), took(began));
        }
    }

    private static Duration took(long began) {
        return Duration.ofNanos(System.nanoTime() - began);
    }
}
