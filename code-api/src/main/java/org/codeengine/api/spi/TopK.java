package org.codeengine.api.spi;

/**
 * The {@code k} best of a stream of scores: a min-heap whose root is the worst kept, ordered by score and then by row
 * (a higher row is worse), so the result is the same whatever order the rows come in.
 */
final class TopK {
    private final int[] rows;
    private final float[] scores;
    private int size;

    TopK(int k) {
        rows = new int[k];
        scores = new float[k];
    }

    /** Offers {@code scores[0..count)} as the scores of rows {@code firstRow...}. */
    void offer(float[] chunk, int firstRow, int count) {
        int k = rows.length;
        for (int i = 0; i < count; i++) {
            float s = chunk[i];
            int row = firstRow + i;
            if (size < k) {
                rows[size] = row;
                scores[size] = s;
                up(size++);
            } else if (k > 0 && better(s, row, scores[0], rows[0])) {
                rows[0] = row;
                scores[0] = s;
                down(0);
            }
        }
    }

    /** Writes the kept rows, best first, and returns how many. */
    int drainInto(int[] outRows, float[] outScores) {
        int n = size;
        for (int i = n - 1; i >= 0; i--) {
            outRows[i] = rows[0];
            outScores[i] = scores[0];
            size--;
            rows[0] = rows[size];
            scores[0] = scores[size];
            down(0);
        }
        return n;
    }

    private static boolean better(float s, int row, float than, int thanRow) {
        int c = Float.compare(s, than);
        return c > 0 || c == 0 && row < thanRow;
    }

    private void up(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(scores[parent], rows[parent], scores[i], rows[i])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void down(int i) {
        while (true) {
            int worst = i;
            for (int child = 2 * i + 1; child <= 2 * i + 2 && child < size; child++) {
                if (better(scores[worst], rows[worst], scores[child], rows[child])) {
                    worst = child;
                }
            }
            if (worst == i) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int i, int j) {
        int r = rows[i];
        rows[i] = rows[j];
        rows[j] = r;
        float s = scores[i];
        scores[i] = scores[j];
        scores[j] = s;
    }
}
