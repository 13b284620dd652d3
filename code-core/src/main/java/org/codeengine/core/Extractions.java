package org.codeengine.core;

import org.codeengine.api.experts.Extraction;
import org.codeengine.core.internal.experts.Answers;
import org.jspecify.annotations.Nullable;

/** Applies an {@link Extraction} outside a circle: to read a reference answer the way the circle reads replies. */
public final class Extractions {
    private Extractions() {}

    /**
     * {@return the normalised answer, or {@code null} when the text holds none}
     *
     * @param extraction how to extract
     * @param text a reply or a reference answer
     * @throws IllegalArgumentException if an argument is null
     */
    public static @Nullable String extract(Extraction extraction, String text) {
        if (extraction == null || text == null) {
            throw new IllegalArgumentException("extraction and text must not be null");
        }
        return Answers.compile(extraction).apply(text);
    }
}
