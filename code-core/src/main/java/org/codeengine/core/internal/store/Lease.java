package org.codeengine.core.internal.store;

import java.time.Instant;

/** A named lease: one owner at a time, until it expires or is released. */
public record Lease(String name, String owner, Instant expiresAt) {}
