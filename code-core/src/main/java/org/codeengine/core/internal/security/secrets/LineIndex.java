package org.codeengine.core.internal.security.secrets;

import java.util.Arrays;

/** The start of each line of a text, found in one pass; a position's line is a binary search away. */
final class LineIndex {
    private final int[] starts;
    private final int count;
    private final int length;

    LineIndex(CharSequence text, int length) {
        int[] s = new int[Math.max(16, length / 32)];
        int n = 1; // s[0] = 0
        for (int i = 0; i < length; i++) {
            if (text.charAt(i) == '\n') {
                if (n == s.length) {
                    s = Arrays.copyOf(s, s.length * 2);
                }
                s[n++] = i + 1;
            }
        }
        this.starts = s;
        this.count = n;
        this.length = length;
    }

    /** {@return the line holding {@code pos}, from 0} */
    int lineOf(int pos) {
        int i = Arrays.binarySearch(starts, 0, count, pos);
        return i >= 0 ? i : -i - 2;
    }

    /** {@return where line {@code line} (from 0) starts} */
    int start(int line) {
        return starts[line];
    }

    /** {@return where line {@code line} ends: its newline, or the end of the text} */
    int end(int line) {
        return line + 1 < count ? starts[line + 1] - 1 : length;
    }

    /** {@return the number of lines (newlines + 1)} */
    int count() {
        return count;
    }
}
