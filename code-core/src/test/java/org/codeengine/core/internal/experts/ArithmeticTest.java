package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArithmeticTest {
    @ParameterizedTest(name = "{0} slips: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            She sells 9 * $2 = $18 every day.                                        | 0
            She sells 9 * $2 = $19 every day.                                        | 1
            She sells 9 eggs * $2 = $19: a word inside is not read                   | 0
            so she has 16 - 3 - 4 = 9 eggs left                                      | 0
            so he used 2 x 6 + 2 x 6 = 16 tickets.                                   | 1
            Cups = (365 - 180) * 2 = 730 / 2 = 365                                   | 1
            the average is (80 + 60 + 100) / 3 = 240 / 3 = 80.                       | 0
            that is $200,000 - $130,000 = $70,000                                    | 0
            that is $200,000 - $130,000 = $80,000                                    | 1
            each pays 55 / 3 = 18.33 dollars                                         | 0
            each pays 55 / 3 = 18.5 dollars                                          | 1
            1.5 × $80,000 = $120,000 and 3 ÷ 4 = 0.75                                | 0
            the change is 3 - 10 = -7                                                | 0
            **Total:** 4 + 6 + 18 = 28 pets                                          | 0
            2x + 15 - 5 = 110, a variable, not a sum                                 | 0
            X / 3 - 11 = 5, a variable, not a sum                                    | 0
            Bo's crabs - 4 = 40 - 4 = 36, the end of a longer sum                    | 0
            10% of $600 * 12 = 0.10 * $7200 = $720, a part of a longer product       | 0
            Mary's age (23) = 20 + 25 + 23 = 68: one side holds no operator          | 0
            3^2 + 4 = 10: an exponent is not read                                    | 0
            the equation 3 * 4 = 12x holds a variable                                | 0
            1/4 + 1/2 = 25%: a percent is not read                                   | 0
            if a == 3 + 4 then                                                       | 0
            """)
    void aSumThatDoesNotHold_isASlip_andOnlyPlainArithmeticIsRead(String text, int slips) {
        assertThat(Arithmetic.slips(text, text.length())).isEqualTo(slips);
    }

    @ParameterizedTest(name = "{0}: {1} statements, {2} slips")
    @CsvSource(delimiter = '|', textBlock = """
            She sells 9 * $2 = $18 every day.                                        | 1 | 0
            so 16 - 3 - 4 = 9, then 9 * 2 = 19 and x = 9 + 2                         | 3 | 1
            Let d = the defense; 2d + d + d/2 = 105, so d = 30                       | 3 | 0
            if a == 3 + 4 or a <= 7 or b => 2 or c != 1, no statement                | 0 | 0
            Cups = (365 - 180) * 2 = 730 / 2 = 365                                   | 3 | 1
            she has nine eggs left and sells them for eighteen dollars               | 0 | 0
            """)
    void everyStandaloneEqualsIsAStatement_checkableOrNot_readInTheSamePassAsTheSlips(String text, int statements,
            int slips) {
        assertThat(Arithmetic.read(text, text.length())).isEqualTo(new Arithmetic.Working(statements, slips));
    }

    @Test
    void onlyTheWorkingIsRead() {
        String reply = "{\"reasoning\": \"3 * 4 = 12\", \"answer\": \"12\", \"note\": \"2 + 2 = 5\"}";

        assertThat(Arithmetic.slips(reply, reply.indexOf("\"answer\""))).isZero();
        assertThat(Arithmetic.slips(reply, reply.length())).isEqualTo(1);
        assertThat(Arithmetic.read(reply, reply.indexOf("\"answer\"")).statements()).isEqualTo(1);
    }
}
