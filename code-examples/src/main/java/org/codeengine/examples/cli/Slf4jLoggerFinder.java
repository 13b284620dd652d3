package org.codeengine.examples.cli;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what plugins and the JDK log through {@link System.Logger} to SLF4J, where the engine's own log goes: both are
 * shown with {@code --verbose} only. Without it, a plugin's warning (the Vector API kernels saying they step aside
 * when the native ones serve anyway) would reach the user's terminal through {@code java.util.logging}.
 */
public final class Slf4jLoggerFinder extends System.LoggerFinder {
    /** Made by {@link java.util.ServiceLoader}. */
    public Slf4jLoggerFinder() {}

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Slf4jSystemLogger(LoggerFactory.getLogger(name));
    }

    private record Slf4jSystemLogger(Logger logger) implements System.Logger {
        @Override
        public String getName() {
            return logger.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return switch (level) {
                case ALL, TRACE -> logger.isTraceEnabled();
                case DEBUG -> logger.isDebugEnabled();
                case INFO -> logger.isInfoEnabled();
                case WARNING -> logger.isWarnEnabled();
                case ERROR -> logger.isErrorEnabled();
                case OFF -> false;
            };
        }

        @Override
        public void log(Level level, @Nullable ResourceBundle bundle, @Nullable String message,
                @Nullable Throwable thrown) {
            if (isLoggable(level)) {
                write(level, localized(bundle, message), thrown);
            }
        }

        @Override
        public void log(Level level, @Nullable ResourceBundle bundle, @Nullable String format,
                @Nullable Object... params) {
            if (isLoggable(level)) {
                String pattern = localized(bundle, format);
                write(level, params == null || params.length == 0 ? pattern : MessageFormat.format(pattern, params),
                        null);
            }
        }

        private static String localized(@Nullable ResourceBundle bundle, @Nullable String key) {
            if (key == null) {
                return "";
            }
            return bundle != null && bundle.containsKey(key) ? bundle.getString(key) : key;
        }

        private void write(Level level, String message, @Nullable Throwable thrown) {
            switch (level) {
                case ALL, TRACE -> logger.trace(message, thrown);
                case DEBUG -> logger.debug(message, thrown);
                case INFO -> logger.info(message, thrown);
                case WARNING -> logger.warn(message, thrown);
                case ERROR -> logger.error(message, thrown);
                case OFF -> {
                }
            }
        }
    }
}
