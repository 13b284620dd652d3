package org.codeengine.plugin.testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.codeengine.api.spi.StreamListener;
import org.codeengine.api.spi.ToolCall;

/** A stream listener that keeps what it was told: the text and reasoning deltas joined, and the tool calls. */
public final class RecordingListener implements StreamListener {
    /** A listener that has received nothing yet. */
    public RecordingListener() {}

    private final StringBuffer text = new StringBuffer();
    private final StringBuffer reasoning = new StringBuffer();
    private final List<ToolCall> toolCalls = new CopyOnWriteArrayList<>();

    @Override
    public void onText(String delta) {
        text.append(delta);
    }

    @Override
    public void onReasoning(String delta) {
        reasoning.append(delta);
    }

    @Override
    public void onToolCall(ToolCall call) {
        toolCalls.add(call);
    }

    /** {@return the text deltas, joined} */
    public String text() {
        return text.toString();
    }

    /** {@return the reasoning deltas, joined} */
    public String reasoning() {
        return reasoning.toString();
    }

    /** {@return the tool calls, in the order they came} */
    public List<ToolCall> toolCalls() {
        return List.copyOf(toolCalls);
    }
}
