package org.codeengine.examples.cli;

/**
 * A command that only reads the store, such as {@code code status}: it opens a store already at this CODE's schema
 * without the migrator's scan and validation of every migration, most of a short command's time in the store (a
 * store behind is migrated all the same).
 */
abstract class ReadingCommand extends BaseCommand {
    @Override
    final boolean readsOnly() {
        return true;
    }
}
