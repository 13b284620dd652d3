package org.codeengine.core.internal.experts;

import java.util.Arrays;

/**
 * A fixed set of phrases looked for in replies, fast: the JDK searches a text for one character several times faster
 * than for a string, and most replies hold none of the phrases. So a phrase that holds one of the given anchor
 * letters (rare in English) is looked for at the places of the first of them it holds (the phrases that share a letter
 * in one pass over its places), and only there compared in full; the others are searched for whole.
 */
final class Phrases {
    private final String anchors;
    /** Per letter of {@link #anchors}: the phrases looked for by it, where the letter stands in each, what follows. */
    private final String[][] anchored;
    private final int[][] anchorAt;
    private final char[][] afterAnchor;
    /** The phrases that hold none of the {@link #anchors}. */
    private final String[] whole;

    /**
     * @param anchors the letters to look for phrases by, the rarest first: a phrase is looked for by the first of them
     *        it holds, not as its last character
     * @param phrases the phrases, case-sensitive
     */
    Phrases(String anchors, String... phrases) {
        this.anchors = anchors;
        anchored = new String[anchors.length()][];
        anchorAt = new int[anchors.length()][];
        afterAnchor = new char[anchors.length()][];
        for (int a = 0; a < anchors.length(); a++) {
            int letter = a;
            String[] these = Arrays.stream(phrases).filter(p -> anchor(p) == letter).toArray(String[]::new);
            anchored[a] = these;
            anchorAt[a] = new int[these.length];
            afterAnchor[a] = new char[these.length];
            for (int p = 0; p < these.length; p++) {
                anchorAt[a][p] = these[p].indexOf(anchors.charAt(a));
                afterAnchor[a][p] = these[p].charAt(anchorAt[a][p] + 1);
            }
        }
        whole = Arrays.stream(phrases).filter(p -> anchor(p) < 0).toArray(String[]::new);
    }

    /**
     * @return the index in {@link #anchors} of the letter a phrase is looked for by, -1 for none: a letter that is not
     *         its last, so that what follows the letter can be compared first
     */
    private int anchor(String phrase) {
        for (int a = 0; a < anchors.length(); a++) {
            int at = phrase.indexOf(anchors.charAt(a));
            if (at >= 0 && at < phrase.length() - 1) {
                return a;
            }
        }
        return -1;
    }

    /** {@return whether the text holds one of the phrases} */
    boolean in(String text) {
        int last = text.length() - 1;
        for (int a = 0; a < anchors.length(); a++) {
            char anchor = anchors.charAt(a);
            String[] phrases = anchored[a];
            if (phrases.length == 0) {
                continue;
            }
            int[] at = anchorAt[a];
            char[] after = afterAnchor[a];
            for (int i = text.indexOf(anchor); i >= 0 && i < last; i = text.indexOf(anchor, i + 1)) {
                char next = text.charAt(i + 1);
                for (int p = 0; p < phrases.length; p++) {
                    if (next == after[p] && i >= at[p] && text.startsWith(phrases[p], i - at[p])) {
                        return true;
                    }
                }
            }
        }
        for (String phrase : whole) {
            if (text.indexOf(phrase) >= 0) {
                return true;
            }
        }
        return false;
    }
}
