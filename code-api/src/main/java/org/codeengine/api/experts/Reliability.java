package org.codeengine.api.experts;

/**
 * The record of experts against the truth a host reported, kept in the store. A signal is a situation an answer was in
 * ({@code all}, {@code support:alone}, {@code shape:integer}, ...): reliability is counted per expert and signal.
 */
public interface Reliability {
    /**
     * {@return how often the expert answered in that situation, and how often it was right}
     *
     * @param expert the expert's id
     * @param signal the situation
     */
    Record of(String expert, String signal);

    /**
     * Judged answers of one expert in one situation.
     *
     * @param answered judged answers
     * @param correct the right ones among them
     */
    record Record(long answered, long correct) {
        /** No judged answers. */
        public static final Record NONE = new Record(0, 0);
    }

    /** {@return a record with no judged answers at all} */
    static Reliability none() {
        return (expert, signal) -> Record.NONE;
    }
}
