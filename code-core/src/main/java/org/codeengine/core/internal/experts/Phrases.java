package org.codeengine.core.internal.experts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fixed sets of phrases looked for in replies, fast: the JDK searches a text for one character several times faster
 * than for a string, and most replies hold none of the phrases. So each phrase is looked for at the places of the
 * first of the given anchor letters (rare in English) it holds, the phrases of every set that share a letter in one
 * pass over its places, and the text is compared with a phrase only where the characters on both sides of the letter
 * are the phrase's ({@code k} in "keep" is not the {@code k} of "mistake"), and so is the second after it: at each place
 * only the phrases in which the character that follows there follows the letter are looked at, found through a table. A phrase that holds none of the
 * letters is searched for whole. One reading answers for all the sets: the passes stop once each set has a phrase in the text.
 */
final class Phrases {
    /** Marks a phrase that starts with its anchor letter: any character, or none, may stand before it. */
    private static final int ANY = -1;
    private final String anchors;
    /** Per letter of {@link #anchors}: the phrases looked for by it, and where the letter stands in each. */
    private final String[][] anchored;
    private final int[][] anchorAt;
    /** Per letter of {@link #anchors}, per phrase: the character before the letter in it, or {@link #ANY}. */
    private final int[][] beforeAnchor;
    /**
     * Per letter of {@link #anchors}, per phrase: the character two after the letter in it, or {@link #ANY} where the
     * phrase ends before: the last cheap test before a comparison ({@code ca} in "cache" is not that of "cannot").
     */
    private final int[][] secondAfter;
    /** Per letter of {@link #anchors}, per phrase: the bit of the set it belongs to. */
    private final int[][] setOf;
    /**
     * Per letter of {@link #anchors}, per ASCII character: the first of its phrases in which that character follows the
     * letter, or -1; and per phrase the next such phrase, or -1. A place of the letter is compared only with these.
     */
    private final int[][] firstAfter;
    private final int[][] nextAfter;
    /** The phrases that hold none of the {@link #anchors}, and the bits of their sets. */
    private final String[] whole;
    private final int[] wholeSet;
    /** The bits of every set. */
    private final int all;

    /**
     * @param anchors the letters to look for phrases by, the rarest first: a phrase is looked for by the first of them
     *        it holds, not as its last character
     * @param sets the sets of phrases, case-sensitive; at most 31
     */
    Phrases(String anchors, String[]... sets) {
        if (sets.length > 31) {
            throw new IllegalArgumentException("sets must be at most 31, not " + sets.length);
        }
        this.anchors = anchors;
        all = (1 << sets.length) - 1;
        anchored = new String[anchors.length()][];
        anchorAt = new int[anchors.length()][];
        beforeAnchor = new int[anchors.length()][];
        secondAfter = new int[anchors.length()][];
        setOf = new int[anchors.length()][];
        firstAfter = new int[anchors.length()][];
        nextAfter = new int[anchors.length()][];
        for (int a = 0; a < anchors.length(); a++) {
            List<String> these = new ArrayList<>();
            List<Integer> bits = new ArrayList<>();
            for (int s = 0; s < sets.length; s++) {
                for (String phrase : sets[s]) {
                    if (anchor(phrase) == a) {
                        these.add(phrase);
                        bits.add(1 << s);
                    }
                }
            }
            anchored[a] = these.toArray(String[]::new);
            anchorAt[a] = new int[these.size()];
            beforeAnchor[a] = new int[these.size()];
            secondAfter[a] = new int[these.size()];
            setOf[a] = bits.stream().mapToInt(Integer::intValue).toArray();
            for (int p = 0; p < these.size(); p++) {
                int at = these.get(p).indexOf(anchors.charAt(a));
                anchorAt[a][p] = at;
                beforeAnchor[a][p] = at > 0 ? these.get(p).charAt(at - 1) : ANY;
                secondAfter[a][p] = at + 2 < these.get(p).length() ? these.get(p).charAt(at + 2) : ANY;
            }
            firstAfter[a] = new int[128];
            Arrays.fill(firstAfter[a], -1);
            nextAfter[a] = new int[these.size()];
            for (int p = these.size() - 1; p >= 0; p--) {
                char follows = these.get(p).charAt(anchorAt[a][p] + 1);
                if (follows >= 128) {
                    throw new IllegalArgumentException("phrase '" + these.get(p) + "' must hold an ASCII character"
                            + " after its anchor letter");
                }
                nextAfter[a][p] = firstAfter[a][follows];
                firstAfter[a][follows] = p;
            }
        }
        List<String> unanchored = new ArrayList<>();
        List<Integer> unanchoredSets = new ArrayList<>();
        for (int s = 0; s < sets.length; s++) {
            for (String phrase : sets[s]) {
                if (anchor(phrase) < 0) {
                    unanchored.add(phrase);
                    unanchoredSets.add(1 << s);
                }
            }
        }
        whole = unanchored.toArray(String[]::new);
        wholeSet = unanchoredSets.stream().mapToInt(Integer::intValue).toArray();
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

    /**
     * {@return which sets the text holds a phrase of: bit {@code s} (the value {@code 1 << s}) for the set given
     *         {@code s}th}
     *
     * @param text the text to look in
     */
    int in(String text) {
        int found = 0;
        int last = text.length() - 1;
        for (int a = 0; a < anchors.length() && found != all; a++) {
            char anchor = anchors.charAt(a);
            String[] phrases = anchored[a];
            int[] at = anchorAt[a];
            int[] first = firstAfter[a];
            int[] chain = nextAfter[a];
            int[] before = beforeAnchor[a];
            int[] second = secondAfter[a];
            int[] set = setOf[a];
            if (phrases.length == 0) {
                continue;
            }
            for (int i = text.indexOf(anchor); i >= 0 && i < last; i = text.indexOf(anchor, i + 1)) {
                char next = text.charAt(i + 1);
                if (next >= first.length) {
                    continue;
                }
                int previous = i > 0 ? text.charAt(i - 1) : ANY;
                for (int p = first[next]; p >= 0; p = chain[p]) {
                    if ((before[p] == ANY || before[p] == previous) && (found & set[p]) == 0
                            && (second[p] == ANY || (i + 2 <= last && text.charAt(i + 2) == second[p]))
                            && i >= at[p] && standsAt(text, phrases[p], i - at[p])) {
                        found |= set[p];
                        if (found == all) {
                            return found;
                        }
                    }
                }
            }
        }
        for (int p = 0; p < whole.length; p++) {
            if ((found & wholeSet[p]) == 0 && text.indexOf(whole[p]) >= 0) {
                found |= wholeSet[p];
            }
        }
        return found;
    }

    /**
     * {@return whether {@code phrase} stands in {@code text} at {@code from}, at least 0}: as {@link String#startsWith},
     * compared from the phrase's first character, where the places that the table lets through mostly differ (the
     * {@code k} of "bakery" is the {@code k} of "mistake" on both sides), without the JDK's set-up for a long compare
     */
    private static boolean standsAt(String text, String phrase, int from) {
        int n = phrase.length();
        if (from + n > text.length()) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (text.charAt(from + k) != phrase.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
