/** JSON Schema 2020-12 validation on Jackson trees. Depends on nothing of CODE. */
module org.codeengine.schema {
    requires transitive tools.jackson.databind;
    requires transitive org.jspecify;
    requires re2j;

    exports org.codeengine.schema;
}
