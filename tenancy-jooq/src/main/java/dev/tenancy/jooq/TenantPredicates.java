package dev.tenancy.jooq;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.FieldOrRow;
import org.jooq.FieldOrRowOrSelect;
import org.jooq.Name;
import org.jooq.Param;
import org.jooq.Query;
import org.jooq.QueryPart;
import org.jooq.Row;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.VisitContext;
import org.jooq.VisitListener;
import org.jooq.impl.DSL;
import org.jooq.impl.QOM;
import org.jooq.impl.SQLDataType;

/**
 * Scopes every statement on a table with a tenant column (a tenant table) to one tenant, as jOOQ
 * renders and binds it: the statement is replaced by a copy (through jOOQ's query object model)
 * that carries the tenant.
 *
 * <ul>
 *   <li>SELECT, UPDATE, DELETE: {@code t.tenant_id = ?} for every tenant table in FROM, USING, and
 *       the joins, in WHERE; for the optional side of an outer join in that join's ON (a WHERE there
 *       would turn the outer join into an inner one); for FULL JOIN in ON and, null-tolerant, in
 *       WHERE; for the joins jOOQ adds itself along generated code's paths ({@code
 *       TAGS.note().BODY}), in their ON. Which references are tenant tables is {@link
 *       TenantTables}' to say (aliases, generated classes, {@code Table.where(...)}, hints).
 *       Subqueries, derived tables, CTEs and set operations are visited on their own, so each
 *       SELECT is scoped where it stands.
 *   <li>INSERT: the tenant column is added with the tenant's id; an INSERT that names the column
 *       must name the current tenant (a bind value equal to it), or it is refused. INSERT ... SELECT
 *       gets the column from a wrapping SELECT. ON CONFLICT DO UPDATE updates only the tenant's row.
 *   <li>UPDATE may not set the tenant column to anything but the current tenant; MERGE into a
 *       shared table, and outer joins over one that cannot carry an ON condition (NATURAL, USING),
 *       are refused; so are TRUNCATE of a shared table (it would empty every tenant's rows) and
 *       TRUNCATE ... CASCADE.
 * </ul>
 *
 * <p>Plain-SQL templates ({@code DSL.table("...")}, {@code dsl.fetch("...")}) are text jOOQ does not
 * parse and are not scoped here; on PostgreSQL, {@link dev.tenancy.jdbc.RowLevelSecurity} covers
 * them in the database.
 */
final class TenantPredicates implements VisitListener {

    /** The {@link VisitContext#data} key of {@link #scopedJoins}. */
    private static final Object SCOPED_JOINS = new Object();

    private final TenantTables tenantTables;

    private final String tenant;
    private final Param<String> value;

    TenantPredicates(TenantTables tenantTables, String tenant) {
        this.tenantTables = tenantTables;
        this.tenant = tenant;
        this.value = DSL.val(tenant, SQLDataType.VARCHAR);
    }

    @Override
    public void visitStart(VisitContext ctx) {
        QueryPart part = ctx.queryPart();
        // Most visited parts are names, fields and conditions: one interface check sets them aside.
        // (A ClassValue per part class cost more here than these checks: ~17 % of a render.)
        if (!(part instanceof Query)) {
            if (part instanceof QOM.JoinTable<?, ?> join) {
                implicitJoin(join, ctx);
            }
            return;
        }
        QueryPart scoped;
        if (part instanceof Select<?> select) {
            scoped = select(select, ctx);
        } else if (part instanceof QOM.Insert<?> insert) {
            scoped = insert(insert);
        } else if (part instanceof QOM.Update<?> update) {
            scoped = update(update, ctx);
        } else if (part instanceof QOM.Delete<?> delete) {
            scoped = delete(delete, ctx);
        } else if (part instanceof QOM.Merge<?> merge) {
            scoped = merge(merge, ctx);
        } else if (part instanceof QOM.Truncate<?> truncate) {
            refuseTruncate(truncate);
            return;
        } else {
            return;
        }
        if (scoped != part) {
            ctx.queryPart(scoped);
        }
    }

    private Select<?> select(Select<?> select, VisitContext ctx) {
        List<? extends Table<?>> from = select.$from();
        if (from.isEmpty()) {
            return select;
        }
        List<Condition> where = new ArrayList<>(2);
        List<Table<?>> scopedFrom = scopeAll(from, where, ctx);
        if (where.isEmpty() && scopedFrom == null) {
            return select;
        }
        Select<?> result = scopedFrom == null ? select : select.$from(scopedFrom);
        return where.isEmpty() ? result : result.$where(and(select.$where(), where));
    }

    private QueryPart update(QOM.Update<?> update, VisitContext ctx) {
        List<Condition> where = new ArrayList<>(2);
        Table<?> target = update.$table();
        Table<?> scopedTarget = scope(target, where, ctx);
        if (!where.isEmpty()) {
            refuseTenantChange(update.$set(), target, "UPDATE");
        }
        List<Table<?>> scopedFrom = scopeAll(update.$from(), where, ctx);
        if (where.isEmpty() && scopedTarget == target && scopedFrom == null) {
            return update;
        }
        QOM.Update<?> result = scopedTarget == target ? update : (QOM.Update<?>) update.$table(scopedTarget);
        if (scopedFrom != null) {
            result = result.$from(scopedFrom);
        }
        return where.isEmpty() ? result : result.$where(and(update.$where(), where));
    }

    private QueryPart delete(QOM.Delete<?> delete, VisitContext ctx) {
        List<Condition> where = new ArrayList<>(2);
        Table<?> target = delete.$from();
        Table<?> scopedTarget = scope(target, where, ctx);
        List<Table<?>> scopedUsing = scopeAll(delete.$using(), where, ctx);
        if (where.isEmpty() && scopedTarget == target && scopedUsing == null) {
            return delete;
        }
        QOM.Delete<?> result = scopedTarget == target ? delete : (QOM.Delete<?>) delete.$from(scopedTarget);
        if (scopedUsing != null) {
            result = result.$using(scopedUsing);
        }
        return where.isEmpty() ? result : result.$where(and(delete.$where(), where));
    }

    private QueryPart insert(QOM.Insert<?> insert) {
        Table<?> into = insert.$into();
        Name column = tenantColumn(into);
        if (column == null) {
            return insert;
        }
        QOM.Insert<?> result = insert;
        if (insert.$onDuplicateKeyUpdate()) {
            refuseTenantChange(insert.$updateSet(), into, "INSERT ... ON CONFLICT DO UPDATE");
            Condition own = predicate(into);
            result = result.$updateWhere(
                    insert.$updateWhere() == null ? own : insert.$updateWhere().and(own));
        }
        List<? extends Field<?>> columns = insert.$columns();
        int index = indexOf(columns, column);
        Field<?> tenantField = into.field(column.last());
        if (tenantField == null) {
            tenantField = DSL.field(quotedLike(into, column), SQLDataType.VARCHAR);
        }
        if (insert.$select() != null) {
            if (index >= 0) {
                throw new TenantIsolationException("INSERT INTO " + into.getName() + " ... SELECT names the tenant"
                        + " column '" + column.last() + "', whose values Tenancy cannot check before the"
                        + " database sees them: leave the column out and Tenancy sets it to '" + tenant + "'");
            }
            Table<?> source = insert.$select().asTable("tenancy_source");
            return result.$columns(append(columns, tenantField))
                    .$select(DSL.select(source.asterisk(), value).from(source));
        }
        if (insert.$defaultValues()) {
            return result.$defaultValues(false).$columns(List.of(tenantField)).$values(List.of(DSL.row(value)));
        }
        if (index >= 0) {
            for (Row row : insert.$values()) {
                Field<?> named = row.field(index);
                if (!(named instanceof Param<?> param) || !tenant.equals(String.valueOf(param.getValue()))) {
                    throw new TenantIsolationException("INSERT INTO " + into.getName() + " names tenant "
                            + named + " in column '" + column.last() + "' while running as tenant '" + tenant
                            + "': leave the column out (Tenancy sets it) or insert as that tenant");
                }
            }
            return result;
        }
        List<Row> rows = new ArrayList<>(insert.$values().size());
        for (Row row : insert.$values()) {
            List<Field<?>> fields = new ArrayList<>(row.size() + 1);
            fields.addAll(List.of(row.fields()));
            fields.add(value);
            rows.add(DSL.row(fields));
        }
        return result.$columns(append(columns, tenantField)).$values(rows);
    }

    private QueryPart merge(QOM.Merge<?> merge, VisitContext ctx) {
        if (tenantColumn(merge.$into()) == null) {
            return merge;
        }
        for (QueryPart enclosing : ctx.queryParts()) {
            if (enclosing instanceof QOM.Insert<?>) {
                return merge; // jOOQ's own emulation of an INSERT ... ON CONFLICT scoped above
            }
        }
        throw new TenantIsolationException("MERGE INTO " + merge.$into().getName() + " is not scoped by Tenancy:"
                + " use insertInto(...).onConflict(...).doUpdate() (scoped to the tenant's rows), or separate"
                + " UPDATE and INSERT statements");
    }

    /**
     * TRUNCATE empties a whole table: it cannot be scoped to a tenant, so on a tenant table it is
     * refused, and so is CASCADE (it also empties the tables that reference the named ones).
     */
    private void refuseTruncate(QOM.Truncate<?> truncate) {
        for (Table<?> table : truncate.$table()) {
            if (tenantColumn(table) != null) {
                throw new TenantIsolationException("TRUNCATE " + table.getName() + " would remove the rows of"
                        + " every tenant, not only of tenant '" + tenant + "': use deleteFrom(" + table.getName()
                        + "), which Tenancy scopes to the tenant");
            }
        }
        if (truncate.$cascade() == QOM.Cascade.CASCADE) {
            throw new TenantIsolationException("TRUNCATE ... CASCADE as tenant '" + tenant + "' also empties every"
                    + " table that references " + truncate.$table() + ", whichever tenant's rows they hold:"
                    + " truncate without CASCADE, or delete the tenant's rows with deleteFrom(...)");
        }
    }

    /** Scopes each table; returns the new list, or {@code null} when no table changed. */
    private List<Table<?>> scopeAll(List<? extends Table<?>> tables, List<Condition> where, VisitContext ctx) {
        List<Table<?>> scoped = null;
        for (int i = 0; i < tables.size(); i++) {
            Table<?> table = tables.get(i);
            Table<?> result = scope(table, where, ctx);
            if (result != table) {
                if (scoped == null) {
                    scoped = new ArrayList<>(tables);
                }
                scoped.set(i, result);
            }
        }
        return scoped;
    }

    /**
     * Adds to {@code above} the predicates that belong to the enclosing WHERE (or ON) for the
     * tenant tables in {@code table}, and returns {@code table} with the predicates of outer joins
     * placed in their ON clauses.
     */
    private Table<?> scope(Table<?> table, List<Condition> above, VisitContext ctx) {
        if (!(table instanceof QOM.JoinTable<?, ?> join)) {
            Condition own = predicate(table);
            if (own != null) {
                above.add(own);
            }
            return table;
        }
        Table<?> left = join.$table1();
        Table<?> right = join.$table2();
        List<Condition> on = new ArrayList<>(2);
        Table<?> scopedLeft;
        Table<?> scopedRight;
        switch (join) {
            case QOM.Join<?> inner -> {
                scopedLeft = scope(left, above, ctx);
                scopedRight = scope(right, above, ctx);
            }
            case QOM.CrossJoin<?> cross -> {
                scopedLeft = scope(left, above, ctx);
                scopedRight = scope(right, above, ctx);
            }
            case QOM.NaturalJoin<?> natural -> {
                scopedLeft = scope(left, above, ctx);
                scopedRight = scope(right, above, ctx);
            }
            case QOM.StraightJoin<?> straight -> {
                scopedLeft = scope(left, above, ctx);
                scopedRight = scope(right, above, ctx);
            }
            case QOM.LeftJoin<?> outer -> {
                scopedLeft = scope(left, above, ctx);
                scopedRight = scope(right, on, ctx);
            }
            case QOM.LeftSemiJoin<?> semi -> {
                scopedLeft = scope(left, above, ctx);
                scopedRight = scope(right, on, ctx);
            }
            case QOM.LeftAntiJoin<?> anti -> {
                scopedLeft = scope(left, above, ctx);
                scopedRight = scope(right, on, ctx);
            }
            case QOM.RightJoin<?> outer -> {
                scopedLeft = scope(left, on, ctx);
                scopedRight = scope(right, above, ctx);
            }
            case QOM.FullJoin<?> full -> {
                scopedLeft = scope(left, on, ctx);
                scopedRight = scope(right, on, ctx);
                for (Condition c : on) {
                    above.add(nullTolerant(c));
                }
            }
            default -> {
                scopedLeft = scope(left, on, ctx);
                scopedRight = scope(right, on, ctx);
                if (!on.isEmpty()) {
                    throw unscopable(join, "this kind of join");
                }
            }
        }
        Table<?> result = join;
        if (scopedLeft != left) {
            result = ((QOM.JoinTable<?, ?>) result).$table1(scopedLeft);
        }
        if (scopedRight != right) {
            result = ((QOM.JoinTable<?, ?>) result).$table2(scopedRight);
        }
        if (!on.isEmpty()) {
            if (!(result instanceof QOM.QualifiedJoin<?, ?> qualified) || qualified.$on() == null) {
                throw unscopable(join, "a NATURAL or USING outer join (it has no ON clause to carry the tenant)");
            }
            result = qualified.$on(and(qualified.$on(), on));
        }
        scopedJoins(ctx).add(result);
        return result;
    }

    /**
     * A join the statement did not name, which jOOQ adds as it renders: an implicit join along a
     * path of generated code ({@code TAGS.note().BODY}), to one row of the joined table (LEFT or
     * INNER). Its tables in FROM are scoped with the statement; the joined one gets the tenant in
     * its ON clause. Joins the statement named were scoped with it and are passed over.
     */
    private void implicitJoin(QOM.JoinTable<?, ?> join, VisitContext ctx) {
        Object scoped = ctx.data(SCOPED_JOINS);
        if (scoped != null && ((Set<?>) scoped).contains(join)) {
            return;
        }
        Condition own = predicate(join.$table2());
        if (own == null) {
            return;
        }
        if (!(join instanceof QOM.Join<?> || join instanceof QOM.LeftJoin<?>)
                || !(join instanceof QOM.QualifiedJoin<?, ?> qualified)
                || qualified.$on() == null) {
            throw unscopable(join, "a join jOOQ added while rendering");
        }
        ctx.queryPart(qualified.$on(qualified.$on().and(own)));
    }

    /** The joins scoped with their statement in this render, so that they are not taken for implicit ones. */
    @SuppressWarnings("unchecked")
    private static Set<QueryPart> scopedJoins(VisitContext ctx) {
        Object scoped = ctx.data(SCOPED_JOINS);
        if (scoped == null) {
            scoped = Collections.newSetFromMap(new IdentityHashMap<>());
            ctx.data(SCOPED_JOINS, scoped);
        }
        return (Set<QueryPart>) scoped;
    }

    private TenantIsolationException unscopable(Table<?> join, String what) {
        return new TenantIsolationException("Tenancy cannot scope " + what + " over a tenant table: " + join
                + ". Write it as a LEFT/RIGHT/FULL JOIN ... ON, or join a derived table that selects the"
                + " tenant's rows");
    }

    /**
     * {@code t.tenant_column = ?} for a tenant table (aliased or not), else {@code null}. The column
     * is the table's own field where the table knows it (generated code: rendered with the
     * table's schema mapping), else the column qualified by the alias or the table's name.
     */
    @SuppressWarnings("unchecked")
    private Condition predicate(Table<?> reference) {
        Name column = tenantColumn(reference);
        if (column == null) {
            return null;
        }
        // NOTES.where(...) is rendered as NOTES itself, its condition joining the statement's.
        Table<?> table = TenantTables.inlined(reference);
        Field<?> known = table.field(column.last());
        Field<String> field;
        if (known != null && known.getType() == String.class) {
            field = (Field<String>) known;
        } else {
            Name qualifier = table instanceof QOM.TableAlias<?> alias ? alias.$alias() : table.getUnqualifiedName();
            field = DSL.field(qualifier.append(quotedLike(table, column)), SQLDataType.VARCHAR);
        }
        return field.eq(value);
    }

    /** The column name, quoted as the table's name is (an unquoted table gets an unquoted column). */
    private static Name quotedLike(Table<?> table, Name column) {
        Table<?> base = TenantTables.unaliased(table);
        return base.getUnqualifiedName().quoted() == Name.Quoted.UNQUOTED ? DSL.unquotedName(column.last()) : column;
    }

    private Name tenantColumn(Table<?> table) {
        return tenantTables.column(table);
    }

    private void refuseTenantChange(
            Map<? extends FieldOrRow, ? extends FieldOrRowOrSelect> set, Table<?> table, String statement) {
        Name column = tenantColumn(table);
        for (Map.Entry<? extends FieldOrRow, ? extends FieldOrRowOrSelect> e : set.entrySet()) {
            boolean named = e.getKey() instanceof Field<?> f
                    ? f.getName().equalsIgnoreCase(column.last())
                    : e.getKey() instanceof Row row && indexOf(List.of(row.fields()), column) >= 0;
            if (named && !(e.getValue() instanceof Param<?> p && tenant.equals(String.valueOf(p.getValue())))) {
                throw new TenantIsolationException(statement + " on " + table.getName() + " sets the tenant column '"
                        + column.last() + "' to " + e.getValue() + " while running as tenant '" + tenant
                        + "': a row cannot be moved to another tenant through a tenant's session");
            }
        }
    }

    private static String names(List<? extends Table<?>> tables) {
        return String.join(", ", tables.stream().map(Table::getName).toList());
    }

    private static int indexOf(Collection<? extends Field<?>> fields, Name column) {
        int i = 0;
        for (Field<?> f : fields) {
            if (f.getName().equalsIgnoreCase(column.last())) {
                return i;
            }
            i++;
        }
        return -1;
    }

    private static List<Field<?>> append(List<? extends Field<?>> fields, Field<?> field) {
        List<Field<?>> all = new ArrayList<>(fields.size() + 1);
        all.addAll(fields);
        all.add(field);
        return all;
    }

    private static Condition nullTolerant(Condition c) {
        QOM.Eq<?> eq = (QOM.Eq<?>) c;
        return c.or(((Field<?>) eq.$arg1()).isNull());
    }

    private static Condition and(Condition existing, List<Condition> added) {
        Condition scoped = added.size() == 1 ? added.get(0) : DSL.and(added);
        return existing == null ? scoped : existing.and(scoped);
    }
}
