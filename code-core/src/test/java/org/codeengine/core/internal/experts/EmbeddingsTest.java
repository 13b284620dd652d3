package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EmbeddingsTest {
    @Test
    void vectorsHaveUnitLength_andAnEmptyTextIsZero() {
        float[] v = embed("Restart the database service.");
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        assertThat(norm).isCloseTo(1, within(1e-5));
        assertThat(embed(" ... !? ")).containsOnly(0f);
    }

    @Test
    void caseWhitespaceAndPunctuationDoNotChangeTheVector() {
        assertThat(embed("Restart the  database,\n service!")).containsExactly(embed("restart the database service"));
        assertThat(embed("ÉCOLE Straße")).containsExactly(embed("école straße"));
    }

    @Test
    void paraphrasesAreCloserThanDifferentAnswers() {
        String a = "Restart the database service and then clear the application cache.";
        String b = "Restart the database service, then clear the application cache please.";
        String c = "Buy a new laptop with more memory and a faster disk.";
        assertThat(cosine(a, b)).isGreaterThan(0.8f);
        assertThat(cosine(a, c)).isLessThan(0.3f);
        assertThat(cosine(a, a)).isCloseTo(1f, within(1e-5f));
    }

    @Test
    void wordOrderCounts_throughWordPairsAndTrigrams() {
        assertThat(cosine("dog bites man", "man bites dog")).isLessThan(0.9f).isGreaterThan(0.3f);
    }

    @Test
    void writesAtTheOffsetAndNowhereElse() {
        float[] two = new float[2 * Embeddings.DIMS + 1];
        two[2 * Embeddings.DIMS] = 42;
        Embeddings.embed("alpha", two, Embeddings.DIMS);
        assertThat(java.util.Arrays.copyOfRange(two, 0, Embeddings.DIMS)).containsOnly(0f);
        assertThat(java.util.Arrays.copyOfRange(two, Embeddings.DIMS, 2 * Embeddings.DIMS))
                .containsExactly(embed("alpha"));
        assertThat(two[2 * Embeddings.DIMS]).isEqualTo(42);
    }

    private static float[] embed(String text) {
        float[] v = new float[Embeddings.DIMS];
        Embeddings.embed(text, v);
        return v;
    }

    private static float cosine(String a, String b) {
        float[] x = embed(a);
        float[] y = embed(b);
        float s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }
}
