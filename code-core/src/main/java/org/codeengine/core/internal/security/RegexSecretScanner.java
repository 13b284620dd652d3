package org.codeengine.core.internal.security;

import java.nio.file.Path;
import java.util.List;
import org.codeengine.api.security.ScanOptions;
import org.codeengine.api.security.ScanReport;
import org.codeengine.api.security.SecretFinding;
import org.codeengine.api.security.SecretScanner;
import org.codeengine.core.internal.security.secrets.DefaultRules;
import org.codeengine.core.internal.security.secrets.PathScanner;
import org.codeengine.core.internal.security.secrets.ScanEngine;

/**
 * The secret scanner over RE2/J (linear time, no backtracking): a {@link ScanEngine} over CODE's rules (from
 * {@code secret-rules.json}) or over a gitleaks-format configuration.
 */
public final class RegexSecretScanner implements SecretScanner {
    private final ScanEngine engine;

    /** A scanner with CODE's own rules. */
    public RegexSecretScanner() {
        this(DefaultRules.engine());
    }

    /** @param engine the rules to scan with */
    public RegexSecretScanner(ScanEngine engine) {
        this.engine = engine;
    }

    @Override
    public List<SecretFinding> scan(String text, String source) {
        return engine.scan(text, source);
    }

    @Override
    public String redact(String text) {
        return engine.redact(text);
    }

    @Override
    public ScanReport scan(List<Path> paths, ScanOptions options) {
        return new PathScanner(engine).scan(paths, options);
    }
}
