package org.codeengine.plugin.tools.files;

import java.util.List;

/** A unified diff of one changed region: the lines before and after it that stayed, and what changed between. */
final class Diff {
    private static final int CONTEXT = 3;

    private Diff() {}

    static String unified(String name, String before, String after) {
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        int prefix = 0;
        while (prefix < a.size() && prefix < b.size() && a.get(prefix).equals(b.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.size() - prefix && suffix < b.size() - prefix && a.get(a.size() - 1 - suffix).equals(b
                .get(b.size() - 1 - suffix))) {
            suffix++;
        }
        StringBuilder out = new StringBuilder("--- a/").append(name).append("\n+++ b/").append(name).append('\n');
        if (prefix == a.size() && prefix == b.size()) {
            return out.append("(no change)\n").toString();
        }
        int from = Math.max(0, prefix - CONTEXT);
        int toA = Math.min(a.size(), a.size() - suffix + CONTEXT);
        int toB = Math.min(b.size(), b.size() - suffix + CONTEXT);
        out.append("@@ -").append(from + 1).append(',').append(toA - from).append(" +").append(from + 1).append(',')
                .append(toB - from).append(" @@\n");
        for (int i = from; i < prefix; i++) {
            out.append(' ').append(a.get(i)).append('\n');
        }
        for (int i = prefix; i < a.size() - suffix; i++) {
            out.append('-').append(a.get(i)).append('\n');
        }
        for (int i = prefix; i < b.size() - suffix; i++) {
            out.append('+').append(b.get(i)).append('\n');
        }
        for (int i = a.size() - suffix; i < toA; i++) {
            out.append(' ').append(a.get(i)).append('\n');
        }
        return out.toString();
    }
}
