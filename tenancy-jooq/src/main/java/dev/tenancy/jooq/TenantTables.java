package dev.tenancy.jooq;

import java.lang.reflect.Modifier;
import java.util.Locale;
import java.util.Map;
import org.jooq.Name;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.QOM;
import org.jooq.impl.TableImpl;

/**
 * The tables that carry a tenant column, and which table a reference in a statement stands for.
 *
 * <p>{@code DSL.table(name)} and its aliases ({@link QOM.TableAlias}) are known by name. A table
 * of generated code is its own class, and so are its aliases ({@code NOTES.as("n")}) and the
 * tables of its paths ({@code TAGS.note()}, of a subclass), whose names are the alias: they are
 * known by their class, through the instance registered with {@link
 * TenancyJooq.Builder#tenantTable(Table, org.jooq.Field)} or, failing that, the public static
 * instance the generator declares in the class ({@code public static final Notes NOTES}).
 */
final class TenantTables {
    /** Lower-case table name to its tenant column. */
    private final Map<String, Name> columns;

    /** Generated table classes registered with an instance, to the table's name. */
    private final Map<Class<?>, String> classes;

    private final ClassValue<String> names = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            for (Class<?> c = type; c != null && c != TableImpl.class; c = c.getSuperclass()) {
                String registered = classes.get(c);
                if (registered != null) {
                    return registered;
                }
                String declared = declaredInstanceName(c);
                if (declared != null) {
                    return declared;
                }
            }
            return null;
        }
    };

    TenantTables(Map<String, Name> columns, Map<Class<?>, String> classes) {
        this.columns = Map.copyOf(columns);
        this.classes = Map.copyOf(classes);
    }

    boolean isEmpty() {
        return columns.isEmpty();
    }

    /** The tenant column of the table {@code table} refers to (aliased or not), or {@code null}. */
    Name column(Table<?> table) {
        Table<?> base = unaliased(table);
        if (!(base instanceof TableImpl<?>)) {
            return null; // a derived table, a function, plain SQL: not a tenant table reference
        }
        String name = base.getClass() == TableImpl.class ? null : names.get(base.getClass());
        return columns.get((name != null ? name : base.getName()).toLowerCase(Locale.ROOT));
    }

    /**
     * The table a reference stands for, through an alias ({@code DSL.table(...).as("n")}), an
     * inline derived table ({@code NOTES.where(...)}, which jOOQ renders as the table itself with
     * its condition moved to the statement's WHERE), index hints, table samples, {@code
     * LATERAL} and {@code WITH ORDINALITY}; any other table as it is.
     */
    static Table<?> unaliased(Table<?> table) {
        for (Table<?> t = table; ; ) {
            Table<?> inner = inlined(t);
            if (inner instanceof QOM.TableAlias<?> alias) {
                inner = alias.$table();
            } else if (inner instanceof QOM.HintedTable<?> hinted) {
                inner = hinted.$table(); // NOTES.useIndex(...)
            } else if (inner instanceof QOM.SampleTable<?> sample) {
                inner = sample.$table(); // NOTES.tablesample(...)
            } else if (inner instanceof QOM.Lateral<?> lateral) {
                inner = lateral.$arg1(); // lateral(...) of a table rather than of a query
            } else if (inner instanceof QOM.WithOrdinalityTable<?> ordinality) {
                inner = ordinality.$table();
            }
            if (inner == t) {
                return t;
            }
            t = inner;
        }
    }

    /** The table behind an inline derived table ({@code NOTES.where(...)}); any other table as it is. */
    static Table<?> inlined(Table<?> table) {
        if (table instanceof QOM.DerivedTable<?> derived
                && INLINE_DERIVED_TABLE.equals(table.getClass().getName())
                && derived.$arg1() instanceof Select<?> select
                && select.$from().size() == 1) {
            return select.$from().get(0);
        }
        return table;
    }

    /**
     * jOOQ's class for {@code Table.where(...)}; it has no interface of its own (it is a {@link
     * QOM.DerivedTable} whose query jOOQ inlines), and a derived table the statement wrote out is
     * scoped as a query of its own.
     */
    private static final String INLINE_DERIVED_TABLE = "org.jooq.impl.InlineDerivedTable";

    private static String declaredInstanceName(Class<?> type) {
        for (java.lang.reflect.Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (field.getType() == type && Modifier.isStatic(modifiers) && Modifier.isPublic(modifiers)) {
                try {
                    return field.get(null) instanceof Table<?> instance ? instance.getName() : null;
                } catch (IllegalAccessException | RuntimeException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
