package org.codeengine.core.internal.executors;

import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.InvalidRequestException;

/**
 * Splits a command line into words the way a POSIX shell would, without running a shell: blanks separate words,
 * {@code '...'} keeps everything literally, {@code "..."} keeps blanks and lets {@code \} escape {@code "} and
 * {@code \}, and outside quotes {@code \} escapes any character. No variables, globs or pipes.
 */
final class CommandLine {
    private CommandLine() {}

    /**
     * @param field the setting's name, for messages
     * @throws InvalidRequestException if the line is blank or a quote is not closed
     */
    static List<String> split(String line, String field) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw unclosed(field, '\'', i);
                }
                word.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char d = line.charAt(j);
                    if (d == '\\' && j + 1 < line.length() && (line.charAt(j + 1) == '"'
                            || line.charAt(j + 1) == '\\')) {
                        d = line.charAt(++j);
                    }
                    word.append(d);
                }
                if (j >= line.length()) {
                    throw unclosed(field, '"', i);
                }
                i = j;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new InvalidRequestException(field + " must not be blank", null);
        }
        return words;
    }

    private static InvalidRequestException unclosed(String field, char quote, int at) {
        return new InvalidRequestException(field + " has a " + quote + " at position " + at + " that is not closed",
                null);
    }
}
