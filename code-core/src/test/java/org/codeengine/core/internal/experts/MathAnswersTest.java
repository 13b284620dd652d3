package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.codeengine.api.experts.Extraction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Answers in the mathematical notation models write: two ways of writing one value must land in one cluster (the same
 * normalised answer), two different values never. Each row is a pair of answer fields as a model writes them; columns
 * are separated by {@code |}.
 */
class MathAnswersTest {
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            // boxed, math delimiters
            "\\boxed{5}|5", "$\\boxed{12}$|12", "\\boxed{\\frac{1}{2}}|1/2", "$5$|5", "\\(7\\)|7", "\\[8\\]|8",
            "$$9$$|9", "\\fbox{3}|3",
            // fractions and decimals
            "\\frac{1}{2}|0.5", "\\dfrac{1}{2}|1/2", "\\tfrac{1}{2}|0.50", "\\frac12|1/2", "\\frac{3}{4}|0.75",
            "\\frac{6}{8}|3/4", "\\frac{2}{3}|4/6", "-\\frac{1}{2}|-0.5", "\\frac{-1}{2}|-1/2", "\\dfrac{10}{4}|2.5",
            "\\frac{9}{3}|3", "\\frac{1}{3}|\\dfrac{1}{3}", "\\frac{7}{2}|3.5",
            // trailing zeros, signs, separators
            "5.0|5", "5.00|5", "\\boxed{5.0}|5", "12.50|12.5", "1,000|1000", "1{,}000|1000", "12{,}345{,}678|12345678",
            "$1,234$|1234", "0.5|.5",
            // percentages, degrees, currency, units
            "50\\%|50%", "50\\%|0.5", "12.5\\%|1/8", "30^\\circ|30", "30^{\\circ}|30", "45°|45", "90\\degree|90",
            "\\$18|18", "\\$18.00|18", "5 \\text{ cm}|5", "5\\,\\mathrm{m}|5", "12\\text{ dollars}|12",
            "3 \\text{units}|3", "100 \\mbox{ km}|100",
            // x = 5 and the like
            "x = 5|5", "x=5|5", "y = -3|-3", "x_1 = 4|4", "n = \\frac{1}{2}|0.5", "x = 2\\sqrt{3}|2\\sqrt{3}",
            // roots and pi
            "\\sqrt{2}|\\sqrt2", "2\\sqrt{2}|2 \\sqrt 2", "2\\sqrt{2}|2*\\sqrt{2}", "2\\sqrt{2}|2√2",
            "\\frac{\\sqrt{3}}{2}|\\sqrt{3}/2", "\\frac{\\sqrt3}{2}|\\frac{\\sqrt{3}}{2}", "\\pi|π", "2\\pi|2π",
            "2\\pi|2 \\cdot \\pi", "\\frac{\\pi}{2}|\\pi/2", "\\frac{\\pi}{4}|π/4", "3\\sqrt{5}|3\\cdot\\sqrt{5}",
            "\\sqrt{x^{2}+1}|\\sqrt{x^2+1}", "4\\pi r^2|4 \\pi r^{2}", "\\dfrac{\\pi}{3}|\\frac{\\pi}{3}",
            "10\\sqrt{2}|10\\times\\sqrt{2}",
            // \\left( \\right), tuples, intervals, sets
            "\\left(1, 2\\right)|(1,2)", "(1, 2)|(1,2)", "(3,-4)|\\left( 3, -4 \\right)", "[2, 5)|\\left[2,5\\right)",
            "(-\\infty, 3]|(-∞, 3]", "x \\in [2, 5)|[2,5)", "\\{1, 2, 3\\}|\\{3, 2, 1\\}",
            "\\{1,2\\}|\\left\\{2, 1\\right\\}",
            "{1, 2}|\\{2,1\\}", "(0.5, 1)|(\\frac{1}{2}, 1)", "(1, \\frac{1}{2})|(1, 0.5)", "[0, 1]|[0,1.0]",
            "\\lbrace 4, 5\\rbrace|\\{5, 4\\}", "(2\\sqrt{2}, \\pi)|(2√2, π)",
            // spacing
            "\\!5|5", "2 \\pi|2\\pi", "\\displaystyle\\frac{1}{2}|0.5", "x^{2}|x^2", "2^{10}|2^10", "~7|7",
            "\\boxed{x = 5}|5", "\\text{(B)}|B",
            // working that ends in its result; a sentence keeps its first number, as before
            "5*50+75*15=250+1125=1375|1375", "$105-$90=$15|15", "20+10+10=40|40.0",
            "60 minutes / 2 + 40 minutes / 2 = 30 minutes + 20 minutes = 50 minutes|50",
            // mixed numbers, a sentence's full stop, other styles, units squared, spaced thousands
            "3\\frac{1}{2}|\\frac{7}{2}", "2\\frac{1}{4}|2.25", "-1\\frac12|-1.5", "\\frac{1}{2}.|\\frac{1}{2}",
            "x = 5.|5", "\\textnormal{5}|5", "\\textit{7}|7", "5\\ \\text{cm}^2|5", "5 \\text{ cm}^{2}|5",
            "1 000 000|1000000", "\\text{Monday}|Monday", "\\text{(C)}|(C)",
            // relations, plus-minus, unions, the empty set, a sign moved out of a fraction, roots of other degrees
            "x \\leq 3|x ≤ 3", "x \\le 3|x <= 3", "x \\geq 3|x ≥ 3", "x \\neq 3|x ≠ 3", "\\pm 2|±2",
            "(-\\infty, -2) \\cup (3, \\infty)|(-∞,-2)∪(3,∞)", "\\emptyset|\\varnothing", "\\emptyset|∅",
            "\\frac{-\\sqrt{2}}{2}|-\\frac{\\sqrt{2}}{2}", "\\frac{-1}{2}|-0.5", "\\sqrt[3]{2}|\\sqrt[3] {2}",
            "\\sqrt[2]{5}|\\sqrt{5}", "\\dbinom{5}{2}|\\binom{5}{2}",
            // expressions in a variable written without notation
            "(x+1)/2|\\frac{x+1}{2}", "x + 3|x+3", "3 - y|3-y", "(B) 12|12", "T-shirt 15|15", "-x + 5|-x+5",
            // one constant in different forms: a root in the denominator, a root not simplified, pi after a fraction
            "\\frac{1}{\\sqrt{2}}|\\frac{\\sqrt{2}}{2}", "\\sqrt{8}|2\\sqrt{2}", "\\frac{1}{2}\\pi|\\frac{\\pi}{2}",
            "\\frac{3\\pi}{4}|\\frac{3}{4}\\pi", "\\sqrt{3}|3^{1/2}", "5\\cdot10^3|5000", "2^{10}|1024",
            "3^{-1}|\\frac{1}{3}", "\\sqrt{4}|2", "\\sqrt[3]{-8}|-2", "10^{-3}|0.001", "1+\\sqrt{2}|\\sqrt{2}+1",
            "\\frac{1+\\sqrt{5}}{2}|\\frac{\\sqrt{5}+1}{2}", "\\frac{\\sqrt{3}}{3}|\\frac{1}{\\sqrt{3}}",
            "2^{3^2}|512", "-2^2|-4", "(\\sqrt{2}, \\pi)|(\\sqrt{2}, π)"})
    void equalAnswers_landInOneCluster(String one, String other) {
        assertThat(Answers.shaped(one)).as(one + " vs " + other).isNotNull().isEqualTo(Answers.shaped(other));
    }

    @ParameterizedTest(name = "{0} != {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {"\\frac{1}{2}|\\frac{2}{1}", "\\frac{1}{2}|2",
            "\\frac{1}{3}|0.33", "\\sqrt{2}|2", "\\sqrt{2}|\\sqrt{3}", "2\\sqrt{2}|\\sqrt{22}", "2\\pi|\\pi^2",
            "\\pi|3.14", "\\pi/2|2\\pi", "(1, 2)|(2, 1)", "[1, 2]|(1, 2)", "[1, 2)|(1, 2]", "(1, 2)|\\{1, 2\\}",
            "\\{1, 2\\}|\\{1, 2, 3\\}", "1,000|1", "1,2|12", "5\\%|5", "50\\%|50", "x = 5|5x", "-5|5", "x = -5|5",
            "30^\\circ|60^\\circ", "5 \\text{ cm}|50", "\\sqrt{x^2+1}|\\sqrt{x^2}+1", "x^2|x2", "2^{10}|210",
            "(-\\infty, 3]|(-\\infty, 3)", "0.5|5", "\\frac{\\sqrt{3}}{2}|\\frac{\\sqrt{2}}{2}", "4\\pi|4",
            "20+10+10=40|20", "20+10+10=40|10",
            // each of these was read as the other before: a mixed number, a relation, a list, a variable, a root
            "3\\frac{1}{2}|\\frac{31}{2}", "3\\frac{1}{2}|3", "x \\leq 3|x < 3", "x \\leq 3|3", "x ≥ 3|3",
            "±2|2", "\\pm 2|2", "2, 3|2", "1, 2, 3|1", "x=2 \\text{ or } x=3|3", "(x+1)/2|1", "x + 3|3",
            "x - 2|-2", "\\sqrt[3]{2}|\\sqrt{2}", "\\sqrt[3]{2}|\\sqrt[4]{2}", "\\sqrt[3]{23}|\\sqrt[3]{2}3",
            "1 000 000|1", "\\frac{-\\sqrt{2}}{2}|\\frac{\\sqrt{2}}{2}", "x \\neq 3|x = 3",
            "(-\\infty, -2) \\cup (3, \\infty)|(-\\infty, -2) \\cap (3, \\infty)",
            // a constant and a decimal it rounds to, or a near one
            "\\sqrt{2}|1.4142", "\\pi|3.1416", "\\frac{\\pi}{2}|\\frac{\\pi}{3}", "2^{10}|1000",
            "\\sqrt{x^2}|x", "\\sqrt{-1}|-1"})
    void unequalAnswers_neverShareACluster(String one, String other) {
        assertThat(Answers.shaped(one)).as(one + " vs " + other).isNotEqualTo(Answers.shaped(other));
    }

    @Test
    void theTable_holdsAtLeastAHundredPairs() throws NoSuchMethodException {
        int equal = MathAnswersTest.class.getDeclaredMethod("equalAnswers_landInOneCluster", String.class,
                String.class).getAnnotation(CsvSource.class).value().length;
        int unequal = MathAnswersTest.class.getDeclaredMethod("unequalAnswers_neverShareACluster", String.class,
                String.class).getAnnotation(CsvSource.class).value().length;
        assertThat(equal + unequal).isGreaterThanOrEqualTo(100);
    }

    /** A reply built to nest thousands deep is read by the number scan, never by readers that recurse per level. */
    @Test
    void answersNestedThousandsDeep_areReadWithoutExhaustingTheStack() {
        assertThat(Answers.shaped("(".repeat(20_000) + "1" + ")".repeat(20_000))).isEqualTo("1");
        assertThat(Answers.shaped("\\frac{".repeat(5_000) + "1" + "}{2}".repeat(5_000))).isEqualTo("1");
        assertThat(Answers.shaped("\\sqrt{".repeat(20_000) + "2" + "}".repeat(20_000))).isEqualTo("2");
        assertThat(Answers.shaped("2^".repeat(20_000) + "2")).isEqualTo("2");
        assertThat(Answers.auto("So it is $" + "(".repeat(20_000) + "1" + ")".repeat(20_000) + "$.")).isEqualTo("1");
        assertThat(Answers.auto("\\boxed{" + "{".repeat(20_000) + "}".repeat(20_000) + "}")).isNull();
        assertThat(Answers.shaped("\\sqrt{".repeat(40) + "2" + "}".repeat(40))).as("40 deep is still notation")
                .isEqualTo(Answers.shaped("2^{" + "1/2*".repeat(39) + "1/2}"));
    }

    @Test
    void aReplyEndingInABoxedAnswer_isReadWhole_notByItsLastNumber() {
        var auto = Answers.compile(Extraction.auto());
        assertThat(auto.apply("We add the halves.\nThe answer is $\\boxed{\\frac{3}{4}}$.")).isEqualTo("0.75");
        assertThat(auto.apply("So the roots are\n$x = 2\\sqrt{2}$")).isEqualTo(auto.apply("\\boxed{2√2}"));
        assertThat(List.of(auto.apply("{\"answer\": \"\\\\frac{\\\\pi}{2}\"}"), auto.apply("{\"answer\": \"π/2\"}")))
                .containsOnly("1.57079632679"); // a constant with pi or a root is compared by its value
    }
}
