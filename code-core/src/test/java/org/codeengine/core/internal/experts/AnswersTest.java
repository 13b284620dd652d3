package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.codeengine.api.experts.Extraction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswersTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"42|42", "$1,234.50|1234.5", "1,000,000 dollars|1000000", "-7 degrees|-7",
            "3/4|0.75", "2/3 of a cup|2/3", "4/6|2/3", "50%|0.5", "0.5|0.5", "18.00|18", "about 12 apples|12",
            "1e3|1000", "2.5E-2|0.025",
            "340282366920938463463374607431768211457|340282366920938463463374607431768211457", "no number here|",
            "5/0|"})
    void numeric_readsUnitsSeparatorsFractionsAndPercentages(String text, String expected) {
        assertThat(Answers.compile(new Extraction.Numeric()).apply(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"B|B", "(c)|C", "Answer: d|D", "The answer is E.|E", "A) because|A",
            "F|", "Nothing|", "A good answer would be C|C"})
    void choice_readsALetterUpToTheLast(String text, String expected) {
        assertThat(Answers.compile(new Extraction.Choice('E')).apply(text)).isEqualTo(expected);
    }

    /** Replies in free text (no JSON, no box) end on a sentence: its inline mathematics or its choice is the answer. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "We add them.\\nThe final answer is $\\frac{3}{4}$.|0.75",
            "Work.\\nFinal Answer: The final answer is $\\frac{1}{2}$. I hope it is correct.|0.5",
            "Work.\\nFinal Answer: The final answer is $12$. I hope it is correct.|12",
            "Solving.\\nSo, the answer is $x = 5$.|5", "Hence the sum is $-\\dfrac{1}{2}$.|-0.5",
            "So the interval is $[2, 5)$.|[2,5)", "Therefore $x \\in (-\\infty, 3]$.|(-inf,3]",
            "Thus the probability is \\(\\frac{5}{36}\\).|5/36", "Approximately 3.14, exactly $\\pi$.|3.14159265359",
            "Comparing the options.\\nThe answer is (C).|C", "**Answer: B**|B",
            "He paid $5 and then $3 more, so 8 in all.|8", "It costs $1,000 and then $2,000, so 3000.|3000",
            "Counting.\\nTherefore, there are 42 ways.|42", "The answer is a bit more than 7.|7"})
    void auto_readsTheSentenceAFreeTextReplyEndsOn(String reply, String expected) {
        assertThat(Answers.auto(reply.replace("\\n", "\n"))).isEqualTo(expected);
    }

    @Test
    void text_isTrimmedLowerCaseSingleSpacedWithoutTrailingFullStops() {
        assertThat(Answers.text("  Restart\tthe\r\n  Database. ")).isEqualTo("restart the database");
        assertThat(Answers.text("Done . . .")).isEqualTo("done");
        assertThat(Answers.text("Über\u2003ALLES\u00A0x")).isEqualTo("über alles\u00A0x");
        assertThat(Answers.text("v1.2 is OUT")).isEqualTo("v1.2 is out");
        assertThat(Answers.text(" \n. ")).isNull();
        assertThat(Answers.text("")).isNull();
    }

    @Test
    void auto_readsTheAnswerFieldOfFencedOrMalformedJson_elseTheLastLine() {
        var auto = Answers.compile(Extraction.auto());
        assertThat(auto.apply("```json\n{\"reasoning\": \"16 - 7 = 9\", \"answer\": \"$18\"}\n```")).isEqualTo("18");
        assertThat(auto.apply("{\"reasoning\": \"she said \"hi\" twice\", \"answer\": 18}")).isEqualTo("18");
        assertThat(auto.apply("{\"answer\": \"B\"}")).isEqualTo("B");
        assertThat(auto.apply("{\"answer\": null}")).isNull();
        assertThat(auto.apply("{\"answer\": \"\"}")).isNull();
        assertThat(auto.apply("Let me think.\nSo the total is\n**42 apples**")).isEqualTo("42");
        assertThat(auto.apply("   ")).isNull();
        assertThat(auto.apply("{\"answer\": \"Paris.\"}")).isEqualTo("paris");
        assertThat(auto.apply("Working it out.\nSo 3 + 4 = 7")).isEqualTo("7");
        assertThat(auto.apply("{\"answer\": {\"risk\": \"high\", \"score\": 3}}")).isEqualTo(
                "{\"risk\":\"high\",\"score\":3}");
        assertThat(auto.apply("{\"answer\": \"caf\\u00e9\"}")).isEqualTo("café");
    }

    @Test
    void jsonPath_regexTextAndFirstOf_composeAsDeclared() {
        assertThat(Answers.compile(new Extraction.JsonField("result.value", new Extraction.Numeric())).apply(
                "Sure: {\"result\": {\"value\": \"1,500 m\"}}")).isEqualTo("1500");
        assertThat(Answers.compile(new Extraction.JsonField("result.value", new Extraction.Numeric())).apply(
                "{\"result\": {\"value\": 0.0001}}")).isEqualTo("0.0001");
        assertThat(Answers.compile(new Extraction.Regex("FINAL: (\\w+)", new Extraction.Text())).apply(
                "blah FINAL: Yes")).isEqualTo("yes");
        assertThat(Answers.compile(new Extraction.Text()).apply("  Hello   World. ")).isEqualTo("hello world");
        assertThat(
                Answers.compile(new Extraction.FirstOf(List.of(new Extraction.Choice('D'), new Extraction.Numeric())))
                        .apply("it is 12"))
                .isEqualTo("12");
    }

    @Test
    void shapes_andSupport_nameTheSituationOfAVote() {
        assertThat(List.of("12", "-3", "1.5", "2/3", "B", "paris")).map(Ballots::shape).containsExactly(
                "shape:integer", "shape:integer", "shape:decimal", "shape:fraction", "shape:letter", "shape:text");
        assertThat(Ballots.support(0, 3)).isEqualTo("support:alone");
        assertThat(Ballots.support(2, 3)).isEqualTo("support:all");
        assertThat(Ballots.support(1, 5)).isEqualTo("support:some");
        assertThat(Ballots.support(2, 5)).isEqualTo("support:most");
    }
}
