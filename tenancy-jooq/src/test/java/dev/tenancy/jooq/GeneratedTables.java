package dev.tenancy.jooq;

import java.util.List;
import org.jooq.ForeignKey;
import org.jooq.InverseForeignKey;
import org.jooq.Name;
import org.jooq.Path;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.UniqueKey;
import org.jooq.impl.DSL;
import org.jooq.impl.Internal;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;

/**
 * {@code notes} and {@code tags} written as jOOQ's code generator writes them (a class per table
 * with its static instance, fields, keys, aliases of the same class, a to-one path from a tag to
 * its note), unqualified: for what only generated code can say.
 */
final class GeneratedTables {
    private GeneratedTables() {}

    public static class Notes extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;

        public static final Notes NOTES = new Notes();

        final TableField<Record, Long> ID = createField(DSL.name("id"), SQLDataType.BIGINT.nullable(false), this, "");
        final TableField<Record, String> TENANT_ID =
                createField(DSL.name("tenant_id"), SQLDataType.VARCHAR(48).nullable(false), this, "");
        final TableField<Record, String> BODY = createField(DSL.name("body"), SQLDataType.VARCHAR(200), this, "");

        private Notes() {
            super(DSL.name("notes"));
        }

        private Notes(Name alias, Table<Record> aliased) {
            super(alias, aliased.getSchema(), aliased);
        }

        <O extends Record> Notes(Table<O> path, ForeignKey<O, Record> childPath, Notes aliased) {
            super(path, childPath, (InverseForeignKey<O, Record>) null, aliased);
        }

        /** The note of a path, as generated code's {@code NotesPath}: joinable without ON. */
        public static final class NotesPath extends Notes implements Path<Record> {
            private static final long serialVersionUID = 1L;

            <O extends Record> NotesPath(Table<O> path, ForeignKey<O, Record> childPath) {
                super(path, childPath, NOTES);
            }
        }

        @Override
        public UniqueKey<Record> getPrimaryKey() {
            return Internal.createUniqueKey(this, DSL.name("notes_pk"), ID);
        }

        @Override
        public Notes as(String alias) {
            return new Notes(DSL.name(alias), this);
        }

        @Override
        public Notes as(Name alias) {
            return new Notes(alias, this);
        }
    }

    public static final class Tags extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;

        public static final Tags TAGS = new Tags();

        final TableField<Record, Long> ID = createField(DSL.name("id"), SQLDataType.BIGINT.nullable(false), this, "");
        final TableField<Record, String> TENANT_ID =
                createField(DSL.name("tenant_id"), SQLDataType.VARCHAR(48).nullable(false), this, "");
        final TableField<Record, Long> NOTE_ID = createField(DSL.name("note_id"), SQLDataType.BIGINT, this, "");
        final TableField<Record, String> LABEL = createField(DSL.name("label"), SQLDataType.VARCHAR(50), this, "");

        private final ForeignKey<Record, Record> toNote;

        @SuppressWarnings("unchecked")
        private Tags() {
            super(DSL.name("tags"));
            this.toNote = Internal.createForeignKey(
                    this,
                    DSL.name("tags_note_fk"),
                    new TableField[] {NOTE_ID},
                    Notes.NOTES.getPrimaryKey(),
                    new TableField[] {Notes.NOTES.ID},
                    true);
        }

        @Override
        public List<ForeignKey<Record, ?>> getReferences() {
            return List.of(toNote);
        }

        /** The tag's note, as generated code's path method: {@code TAGS.note().BODY}. */
        Notes.NotesPath note() {
            return new Notes.NotesPath(this, toNote);
        }
    }

    /**
     * A generated table without a public static instance in its class (Kotlin's generator keeps
     * it in a companion object): known by the instance given to {@code tenantTable(table, column)}.
     */
    static final class Events extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;

        final TableField<Record, String> TENANT_ID =
                createField(DSL.name("tenant_id"), SQLDataType.VARCHAR(48).nullable(false), this, "");

        Events() {
            super(DSL.name("events"));
        }

        private Events(Name alias, Table<Record> aliased) {
            super(alias, aliased.getSchema(), aliased);
        }

        @Override
        public Events as(String alias) {
            return new Events(DSL.name(alias), this);
        }
    }
}
