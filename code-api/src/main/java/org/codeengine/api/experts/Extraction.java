package org.codeengine.api.experts;

import java.util.function.Function;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * How the answer is taken out of a reply before the experts' answers are compared. A reply that yields nothing is
 * "no answer", never a vote for the empty string. Answers are normalised so that equal answers compare equal: numbers
 * to one canonical form ({@code 1,000.50} and {@code $1000.5} both become {@code 1000.5}), letters to upper case, text
 * to trimmed lower case with single spaces.
 */
public sealed interface Extraction {
    /** The first number of the reply (or of the value found by an enclosing step): units, currency signs, thousands
     * separators, percentages and fractions allowed. */
    record Numeric() implements Extraction {}

    /**
     * A multiple-choice letter A to {@code last}: "B", "(b)", "Answer: B", "B) ...".
     *
     * @param last the last letter
     */
    record Choice(char last) implements Extraction {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if {@code last} is not a letter B to Z
         */
        public Choice {
            if (last < 'B' || last > 'Z') {
                throw new IllegalArgumentException("last must be a capital letter B to Z but was " + last);
            }
        }
    }

    /**
     * A field of the first JSON object in the reply (fenced or not), by a dotted path, then shaped by {@code then}.
     *
     * @param path the field path, such as {@code answer} or {@code result.value}
     * @param then how the field's text is read
     */
    record JsonField(String path, Extraction then) implements Extraction {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field breaks its rule
         */
        public JsonField {
            Checks.notBlank(path, "path");
            Checks.notNull(then, "then");
        }
    }

    /**
     * The first match of a regular expression, then shaped by {@code then}.
     *
     * @param pattern a {@link java.util.regex.Pattern}; with a group, the group's text is taken
     * @param then how the matched text is read
     */
    record Regex(String pattern, Extraction then) implements Extraction {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if the pattern is blank or not a valid regular expression
         */
        public Regex {
            Checks.notBlank(pattern, "pattern");
            Checks.notNull(then, "then");
            try {
                java.util.regex.Pattern.compile(pattern);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("pattern is not a valid regular expression: " + e
                        .getDescription(), e);
            }
        }
    }

    /** The whole reply, normalised as text. */
    record Text() implements Extraction {}

    /**
     * The first of several ways that yields an answer.
     *
     * @param ways tried in order; not empty
     */
    record FirstOf(java.util.List<Extraction> ways) implements Extraction {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if {@code ways} is empty
         */
        public FirstOf {
            ways = java.util.List.copyOf(Checks.notNull(ways, "ways"));
            if (ways.isEmpty()) {
                throw new IllegalArgumentException("ways must not be empty");
            }
        }
    }

    /**
     * A host's own extraction.
     *
     * @param name a name for messages
     * @param extract returns the answer, or null for no answer
     */
    record Custom(String name, Function<String, @Nullable String> extract) implements Extraction {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field is missing
         */
        public Custom {
            Checks.notBlank(name, "name");
            Checks.notNull(extract, "extract");
        }
    }

    /**
     * The default for replies that may be JSON with an {@code answer} field: that field, else the reply's last line
     * that holds something; either read as a number if it holds one, else a choice letter if it is one, else text.
     *
     * @return the default extraction
     */
    static Extraction auto() {
        return new Auto();
    }

    /** See {@link #auto()}. */
    record Auto() implements Extraction {}
}
