package org.codeengine.api;

/**
 * The store an engine opened.
 *
 * @param provider the name of the store provider that serves it
 * @param url its JDBC URL with any password redacted
 * @param schemaVersion the version of CODE's schema in it after migration
 */
public record StoreStatus(String provider, String url, String schemaVersion) {}
