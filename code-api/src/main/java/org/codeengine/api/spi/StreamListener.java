package org.codeengine.api.spi;

/**
 * Receives a reply while it is generated. Called on the thread that called
 * {@link ExpertClient#stream(ChatRequest, StreamListener)}, in order; an exception thrown here ends the call.
 */
public interface StreamListener {
    /**
     * Receives the next piece of the reply's text.
     *
     * @param delta the next piece of the reply's text
     */
    void onText(String delta);

    /**
     * Receives the next piece of the model's separate reasoning; ignored unless overridden.
     *
     * @param delta the next piece of the model's separate reasoning (DeepSeek's {@code reasoning_content})
     */
    default void onReasoning(String delta) {}

    /**
     * Receives a tool call once it is complete; ignored unless overridden.
     *
     * @param call a complete tool call
     */
    default void onToolCall(ToolCall call) {}
}
