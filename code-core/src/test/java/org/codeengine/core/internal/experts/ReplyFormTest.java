package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplyFormTest {
    @Test
    void theLastNumberOfTheReasoning_isTheAnswer_orAnotherNumber() {
        String agrees = "```json\n{\n  \"reasoning\": \"She sells 9 eggs * $2 = $18 every day.\",\n  \"answer\": \"18\"\n}\n```";
        String disagrees = "{\n  \"reasoning\": \"... dividing the total cost by 2.5 (since 150% increase means the"
                + " total cost is 2.5 times the original value).\",\n  \"answer\": \"40000\"\n}";
        String thousands = "{\"reasoning\": \"$200,000 - $130,000 = $70,000\", \"answer\": \"70000\"}";
        String negative = "{\"reasoning\": \"so the change is 3 - 10 = -7\", \"answer\": \"-7\"}";
        String subtraction = "{\"reasoning\": \"16-7\", \"answer\": \"7\"}";

        assertThat(ReplyForm.of(agrees, "18").agreement()).isEqualTo(1);
        assertThat(ReplyForm.of(disagrees, "40000").agreement()).isEqualTo(-1);
        assertThat(ReplyForm.of(thousands, "70000").agreement()).isEqualTo(1);
        assertThat(ReplyForm.of(negative, "-7").agreement()).isEqualTo(1);
        assertThat(ReplyForm.of(subtraction, "7").agreement()).as("16-7 ends with 7, not -7").isEqualTo(1);
        assertThat(ReplyForm.of("{\"reasoning\": \"none\", \"answer\": \"B\"}", "B").agreement()).as("not a number")
                .isZero();
        assertThat(ReplyForm.of(agrees, "18").field()).isTrue();
        assertThat(ReplyForm.of(agrees, "18").cutOff()).isFalse();
        assertThat(ReplyForm.of(agrees, "18").length()).isEqualTo(agrees.length());
        assertThat(ReplyForm.mentions(agrees, "9")).as("an intermediate step").isTrue();
        assertThat(ReplyForm.mentions(agrees, "8")).as("not inside 18").isFalse();
        assertThat(ReplyForm.mentions(agrees, "1")).isFalse();
        assertThat(ReplyForm.mentions(thousands, "130000")).as("thousands separators are not read in the working")
                .isFalse();
        assertThat(ReplyForm.mentions(thousands, "200")).as("not the start of 200,000").isFalse();
        assertThat(ReplyForm.mentions(agrees, "18")).as("in the working, not only in the answer field").isTrue();
    }

    @Test
    void aReplyCutOffInItsJson_hasNoField_andIsCutOff_andHedgingIsSeen() {
        ReplyForm cut = ReplyForm.of("{\n \"reasoning\": \"Josh's profit is $155,000 - ($80,000 + $50,00", "50");
        ReplyForm plain = ReplyForm.of("The answer is 12.", "12");
        ReplyForm hedged = ReplyForm.of("{\"reasoning\": \"assuming 4 weeks a month, approximately 17\","
                + " \"answer\": \"17\"}", "17");

        assertThat(cut.field()).isFalse();
        assertThat(cut.cutOff()).isTrue();
        assertThat(cut.agreement()).isZero();
        assertThat(plain.cutOff()).as("no JSON opened").isFalse();
        assertThat(plain.hedged()).isFalse();
        assertThat(hedged.hedged()).isTrue();
    }

    @Test
    void anAnswerFieldWithMoreThanANumber_isLoose_aBareNumberIsNot() {
        assertThat(ReplyForm.looseField("{\"reasoning\": \"...\", \"answer\": \"18\"}")).isFalse();
        assertThat(ReplyForm.looseField("{\"answer\": \"$1,800\"}")).isFalse();
        assertThat(ReplyForm.looseField("{\"answer\": \"-2.5\"}")).isFalse();
        assertThat(ReplyForm.looseField("{\"answer\": \"40%\"}")).isFalse();
        assertThat(ReplyForm.looseField("{\"answer\": 12}")).as("unquoted").isFalse();
        assertThat(ReplyForm.looseField("The answer is 12.")).as("no field: that is another signal").isFalse();
        assertThat(ReplyForm.looseField("{\"answer\": \"315 miles (from the point where John turned around)\"}"))
                .isTrue();
        assertThat(ReplyForm.looseField("{\"answer\": \"$37,500/year\"}")).isTrue();
        assertThat(ReplyForm.looseField("{\"answer\": \"30 minutes\"}")).isTrue();
        assertThat(ReplyForm.looseField("{\"answer\": \"\"}")).as("empty").isTrue();
    }

    @Test
    void aReplyThatForcesOrDisownsItsResult_doubts_aPlainOneDoesNot() {
        assertThat(ReplyForm.doubts("{\"reasoning\": \"13.7 people, so we round up to 14\", \"answer\": \"14\"}"))
                .isTrue();
        assertThat(ReplyForm.doubts("you can't have a fraction of a person")).isTrue();
        assertThat(ReplyForm.doubts("Since age cannot be a fraction, we made a mistake")).isTrue();
        assertThat(ReplyForm.doubts("which does not make sense, so let's recalculate")).isTrue();
        assertThat(ReplyForm.doubts("That is impossible.")).isTrue();
        assertThat(ReplyForm.doubts("This contradicts the total.")).isTrue();
        assertThat(ReplyForm.doubts("{\"reasoning\": \"She sells 9 eggs * $2 = $18 every day.\", \"answer\": \"18\"}"))
                .isFalse();
        assertThat(ReplyForm.doubts("the price rounded to cents is $3.75")).as("rounding money is no doubt").isFalse();
        assertThat(ReplyForm.doubts("He found 3 more around the pound")).as("not a word that holds 'round'")
                .isFalse();
        assertThat(ReplyForm.doubts("")).isFalse();
    }
}
