package org.codeengine.benchmarks.experts;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated expert replies for the consensus benchmarks, deterministic for a seed. A token is taken as four characters,
 * so a reply of about 400 tokens is 1,600 to 2,000 characters.
 */
final class Replies {
    /** The shortest and longest reply, in characters (about 400 tokens). */
    static final int MIN_CHARS = 1_600;
    static final int MAX_CHARS = 2_000;

    private static final String[] WORDS = ("the a an of to in on for with by from at as is are was be been it this that"
            + " these those which when where while because so but or and not no if then than also only more most less"
            + " each every any all some many few other same such into over under between through after before during"
            + " service services request requests response latency throughput cache caches index indexes query queries"
            + " database table tables row rows column columns transaction transactions lock locks thread threads pool"
            + " memory heap garbage collector pause pauses allocation allocations object objects buffer buffers queue"
            + " queues message messages event events stream streams batch batches retry retries timeout timeouts"
            + " deadline deadlines failure failures error errors exception exceptions client clients server servers"
            + " network packet packets connection connections socket sockets protocol handshake certificate key keys"
            + " token tokens secret secrets permission permissions role roles user users account accounts session"
            + " sessions audit log logs metric metrics trace traces span spans alert alerts dashboard deployment"
            + " deployments rollout rollback canary replica replicas shard shards partition partitions leader follower"
            + " election consensus quorum vote votes majority minority expert experts model models answer answers"
            + " prompt prompts embedding embeddings vector vectors similarity cluster clusters medoid distance score"
            + " scores weight weights estimate estimates probability confidence should would could must might can will"
            + " use uses using used reduce reduces increase increases avoid avoids measure measures keep keeps check"
            + " checks compare compares return returns read reads write writes store stores split splits merge merges"
            + " fast faster slow slower safe safer simple simpler large larger small smaller first second last next"
            + " previous better worse likely unlikely usually often rarely always never typically carefully quickly"
            + " problem solution approach design tradeoff cost benefit risk budget limit limits bound bounds")
            .split(" ");

    /** The first words of {@link #WORDS} are function words, the rest content words. */
    private static final int FUNCTION_WORDS = 40;
    private static final String[] NAMES = {"Janet", "Tom", "Maria", "the bakery", "the farm", "a train", "the shop",
            "Ahmed", "the school", "a printer", "Lena", "the garden"};
    private static final String[] THINGS = {"eggs", "apples", "tickets", "pages", "cookies", "dollars", "miles",
            "boxes", "hours", "students", "marbles", "liters"};

    private Replies() {}

    /**
     * Free-text replies to one open question, in {@code clusters} groups of near-paraphrases (about one word in nine
     * changed) of different answers; group sizes fall off (for 5 replies and 2 groups: 3 and 2). Replies are shuffled so
     * that a group's members are not neighbours.
     *
     * @return the replies and, for each, its group
     */
    static Batch freeText(Random random, int replies, int clusters) {
        int[] sizes = sizes(replies, clusters);
        List<String> texts = new ArrayList<>(replies);
        List<Integer> groups = new ArrayList<>(replies);
        for (int g = 0; g < clusters; g++) {
            String[] topic = topic(random);
            List<List<String>> base = sentences(random, topic, MIN_CHARS + random.nextInt(MAX_CHARS - MIN_CHARS - 250));
            for (int m = 0; m < sizes[g]; m++) {
                texts.add(render(random, topic, base, m == 0 ? 0 : 0.11));
                groups.add(g);
            }
        }
        return shuffled(random, texts, groups);
    }

    /**
     * GSM8K-like replies to one word problem: most are JSON with worked reasoning and an {@code answer} field, some
     * end in GSM8K's {@code #### answer} or an {@code **Answer:**} line, one in twenty has no answer. About two thirds
     * give the right number (written several ways: {@code 18}, {@code "$18"}, {@code 18.00}), the rest one of two wrong
     * ones.
     *
     * @return the replies and, for each, 0 if it gives the right answer, 1 or 2 for the wrong ones, -1 for none
     */
    static Batch gsm8k(Random random, int replies) {
        int right = 12 + random.nextInt(2_000);
        int[] wrong = {right + 1 + random.nextInt(50), Math.max(1, right - 1 - random.nextInt(50))};
        List<String> texts = new ArrayList<>(replies);
        List<Integer> groups = new ArrayList<>(replies);
        for (int r = 0; r < replies; r++) {
            double roll = random.nextDouble();
            int group = r == 0 || roll < 0.65 ? 0 : roll < 0.95 ? 1 + random.nextInt(2) : -1;
            int value = group == 0 ? right : group > 0 ? wrong[group - 1] : 0;
            String reasoning = reasoning(random, value, MIN_CHARS - 40 + random.nextInt(MAX_CHARS - MIN_CHARS));
            String answer = switch (random.nextInt(4)) {
                case 0 -> "\"" + value + "\"";
                case 1 -> "\"$" + String.format("%,d", value) + "\"";
                case 2 -> value + ".00";
                default -> Integer.toString(value);
            };
            String text = switch (group < 0 ? -1 : random.nextInt(5)) {
                case -1 -> "{\"reasoning\": \"" + reasoning.replace("\n", "\\n") + "\", \"answer\": null}";
                case 0 -> reasoning + "\n#### " + value;
                case 1 -> reasoning + "\n\n**Answer:** " + value;
                default -> "```json\n{\"reasoning\": \"" + reasoning.replace("\n", "\\n") + "\",\n \"answer\": "
                        + answer + "}\n```";
            };
            texts.add(text);
            groups.add(group);
        }
        return new Batch(texts, groups);
    }

    /**
     * A GSM8K-like word problem with five numbers, written as such problems write them: digits, a price with cents, a
     * thousands separator, a number word and "a quarter"; the default strategy's learned rule looks for each in every
     * reply's working.
     */
    static String question(Random random) {
        String who = NAMES[random.nextInt(NAMES.length)];
        String what = THINGS[random.nextInt(THINGS.length)];
        String[] days = {"three", "four", "five", "six", "seven", "eight", "nine", "ten"};
        return who + " has " + (2 + random.nextInt(90)) + " " + what + " and gets " + (2 + random.nextInt(40))
                + " more each day. After " + days[random.nextInt(days.length)] + " days, " + who + " gives a quarter"
                + " of them away, sells the rest for $" + (1 + random.nextInt(9)) + "." + (10 + random.nextInt(90))
                + " each and pays " + String.format(java.util.Locale.ROOT, "%,d", 1_000 + random.nextInt(9_000))
                + " for the stall. How much is left?";
    }

    /** Replies with the group each belongs to. */
    record Batch(List<String> texts, List<Integer> groups) {}

    static int[] sizes(int replies, int clusters) {
        int[] sizes = new int[clusters];
        int weights = clusters * (clusters + 1) / 2;
        int given = 0;
        for (int g = 0; g < clusters; g++) {
            sizes[g] = Math.max(1, replies * (clusters - g) / weights);
            given += sizes[g];
        }
        sizes[0] += replies - given;
        return sizes;
    }

    private static Batch shuffled(Random random, List<String> texts, List<Integer> groups) {
        for (int i = texts.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            texts.set(i, texts.set(j, texts.get(i)));
            groups.set(i, groups.set(j, groups.get(i)));
        }
        return new Batch(texts, groups);
    }

    /** The content words one answer draws on: 60 of the vocabulary's. */
    private static String[] topic(Random random) {
        List<String> content = new ArrayList<>(List.of(WORDS).subList(FUNCTION_WORDS, WORDS.length));
        java.util.Collections.shuffle(content, random);
        return content.subList(0, 60).toArray(String[]::new);
    }

    /** Sentences of 6 to 22 words until about {@code chars} characters. */
    private static List<List<String>> sentences(Random random, String[] topic, int chars) {
        List<List<String>> sentences = new ArrayList<>();
        int length = 0;
        while (length < chars) {
            List<String> sentence = new ArrayList<>();
            for (int w = 6 + random.nextInt(17); w > 0; w--) {
                String word = random.nextInt(40) == 0 ? Integer.toString(random.nextInt(1_000)) : word(random, topic);
                sentence.add(word);
                length += word.length() + 1;
            }
            sentences.add(sentence);
        }
        return sentences;
    }

    /** Writes the sentences out, each word replaced, dropped or doubled by another with the given chance in all. */
    private static String render(Random random, String[] topic, List<List<String>> sentences, double change) {
        StringBuilder out = new StringBuilder(MAX_CHARS + 200);
        int inParagraph = 0;
        for (List<String> sentence : sentences) {
            if (inParagraph == 4 + sentence.size() % 3) {
                out.append("\n\n");
                inParagraph = 0;
            } else if (!out.isEmpty()) {
                out.append(' ');
            }
            boolean first = true;
            for (int w = 0; w < sentence.size(); w++) {
                String word = sentence.get(w);
                double roll = random.nextDouble();
                if (roll < change / 3) {
                    continue; // dropped
                } else if (roll < change * 2 / 3) {
                    word = word(random, topic); // replaced
                } else if (roll < change) {
                    word = word + " " + word(random, topic); // another added
                }
                if (!first) {
                    out.append(w % 7 == 6 ? ", " : " ");
                }
                out.append(first ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                first = false;
            }
            out.append('.');
            inParagraph++;
        }
        return out.toString();
    }

    /** Worked reasoning with arithmetic, ending in the value, about {@code chars} characters. */
    private static String reasoning(Random random, int value, int chars) {
        StringBuilder out = new StringBuilder(chars + 200);
        out.append("Let's solve this step by step.\n");
        for (int step = 1; out.length() < chars - 120; step++) {
            int a = 2 + random.nextInt(90);
            int b = 2 + random.nextInt(40);
            String who = NAMES[random.nextInt(NAMES.length)];
            String what = THINGS[random.nextInt(THINGS.length)];
            out.append(step).append(". ").append(who).append(" has ").append(a).append(' ').append(what).append(
                    " and gets ").append(b).append(" more each day, so after ").append(b % 7 + 1).append(
                            " days that is ")
                    .append(a).append(" + ").append(b).append(" * ").append(b % 7 + 1)
                    .append(" = ").append(a + b * (b % 7 + 1)).append(' ').append(what).append(". ");
            for (int w = 4 + random.nextInt(12); w > 0; w--) {
                out.append(word(random)).append(' ');
            }
            out.append("so we keep ").append(a * b).append(" / ").append(b).append(" = ").append(a).append(".\n");
        }
        out.append("Therefore the total is ").append(value).append('.');
        return out.toString();
    }

    private static String word(Random random) {
        return random.nextBoolean()
                ? WORDS[random.nextInt(FUNCTION_WORDS)]
                : WORDS[FUNCTION_WORDS + random.nextInt(
                        WORDS.length - FUNCTION_WORDS)];
    }

    /** A function word (two times in five) or one of the topic's content words. */
    private static String word(Random random, String[] topic) {
        return random.nextInt(5) < 2 ? WORDS[random.nextInt(FUNCTION_WORDS)] : topic[random.nextInt(topic.length)];
    }
}
