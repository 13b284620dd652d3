package org.codeengine.core.internal.security.secrets;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One Aho–Corasick automaton over every rule's keywords, matched case-insensitively in a single pass: the text is read
 * once, whatever the number of keywords. Keywords are ASCII (a keyword with other characters is refused); the
 * automaton is a dense table over the characters the keywords use, so each text character costs one table look-up.
 * Immutable and thread-safe.
 */
public final class KeywordAutomaton {
    /** Receives each keyword occurrence. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param keyword the keyword's index in the list the automaton was built from
         * @param end the index just past the keyword's last character in the text
         */
        void hit(int keyword, int end);
    }

    private final byte[] classOf = new byte[128];
    private final int classes;
    private final int[] delta; // state * classes + class -> state
    private final int[][] outputs; // state -> keyword indexes ending there (its own and its fail chain's), or empty

    /**
     * @param keywords the keywords, ASCII; matched ignoring case
     * @throws IllegalArgumentException if a keyword is empty or not ASCII, or there are more than 127 distinct
     *     characters (impossible for ASCII)
     */
    public KeywordAutomaton(List<String> keywords) {
        int next = 1;
        for (String k : keywords) {
            if (k.isEmpty()) {
                throw new IllegalArgumentException("keyword: must not be empty");
            }
            for (char c : k.toLowerCase(Locale.ROOT).toCharArray()) {
                if (c >= 128) {
                    throw new IllegalArgumentException("keyword: must be ASCII, got '" + k + "'");
                }
                if (classOf[c] == 0) {
                    classOf[c] = (byte) next++;
                    if (c >= 'a' && c <= 'z') {
                        classOf[c - 'a' + 'A'] = classOf[c]; // upper case reads as lower case
                    }
                }
            }
        }
        classes = next;
        // the trie, as growable lists, then flattened into the table
        List<int[]> gotos = new ArrayList<>();
        List<List<Integer>> out = new ArrayList<>();
        gotos.add(filled(classes));
        out.add(new ArrayList<>());
        for (int i = 0; i < keywords.size(); i++) {
            int state = 0;
            for (char c : keywords.get(i).toLowerCase(Locale.ROOT).toCharArray()) {
                int cls = classOf[c];
                if (gotos.get(state)[cls] < 0) {
                    gotos.get(state)[cls] = gotos.size();
                    gotos.add(filled(classes));
                    out.add(new ArrayList<>());
                }
                state = gotos.get(state)[cls];
            }
            out.get(state).add(i);
        }
        int states = gotos.size();
        int[] fail = new int[states];
        delta = new int[states * classes];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int cls = 0; cls < classes; cls++) {
            int child = gotos.get(0)[cls];
            if (child > 0) {
                fail[child] = 0;
                delta[cls] = child;
                queue.add(child);
            } else {
                delta[cls] = 0;
            }
        }
        while (!queue.isEmpty()) { // breadth first, so a state's fail target is complete before the state
            int state = queue.poll();
            out.get(state).addAll(out.get(fail[state]));
            for (int cls = 0; cls < classes; cls++) {
                int child = gotos.get(state)[cls];
                if (child > 0) {
                    fail[child] = delta[fail[state] * classes + cls];
                    delta[state * classes + cls] = child;
                    queue.add(child);
                } else {
                    delta[state * classes + cls] = delta[fail[state] * classes + cls];
                }
            }
        }
        outputs = new int[states][];
        Map<List<Integer>, int[]> shared = new HashMap<>();
        for (int s = 0; s < states; s++) {
            List<Integer> o = out.get(s).stream().distinct().sorted().toList();
            outputs[s] = shared.computeIfAbsent(o, l -> l.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, -1);
        return a;
    }

    /**
     * Reports every keyword occurrence in {@code text[from, to)}, overlapping ones included, in order of their end.
     *
     * @param text the text
     * @param from the first index to read
     * @param to the index past the last one to read
     * @param sink receives each occurrence
     */
    public void find(CharSequence text, int from, int to, Sink sink) {
        int state = 0;
        int[] d = delta;
        int k = classes;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            int cls = c < 128 ? classOf[c] : 0;
            state = d[state * k + cls];
            int[] o = outputs[state];
            if (o.length > 0) {
                for (int keyword : o) {
                    sink.hit(keyword, i + 1);
                }
            }
        }
    }
}
