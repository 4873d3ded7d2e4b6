package dev.tenancy.jdbc;

import java.util.Locale;
import java.util.Set;

/**
 * Whether a statement may run in a read-only binding on H2, which has no read-only sessions. The
 * text is read as tokens, string literals, quoted names and comments skipped: exactly one statement
 * (a {@code ;} may only end it), starting with {@code SELECT}, {@code WITH}, {@code VALUES}, {@code
 * TABLE}, {@code SHOW} or {@code EXPLAIN} (not {@code EXPLAIN ANALYZE}, which runs the statement),
 * and naming nothing that writes: no data change inside a query ({@code FINAL TABLE (INSERT ...)}),
 * no sequence advanced ({@code NEXT VALUE FOR}, {@code NEXTVAL}, {@code SETVAL}), no file written.
 * Errs towards refusing. A user-defined Java function ({@code CREATE ALIAS}) called from a query
 * is not seen; on PostgreSQL the database itself refuses writes.
 */
final class H2ReadOnly {
    private static final Set<String> READS = Set.of("SELECT", "WITH", "VALUES", "TABLE", "SHOW", "EXPLAIN");
    private static final Set<String> WRITES = Set.of(
            "INSERT",
            "UPDATE",
            "DELETE",
            "MERGE",
            "TRUNCATE",
            "CREATE",
            "DROP",
            "ALTER",
            "GRANT",
            "REVOKE",
            "CALL",
            "NEXTVAL",
            "SETVAL",
            "ANALYZE",
            "FILE_WRITE",
            "CSVWRITE",
            "LINK_SCHEMA",
            "RUNSCRIPT",
            "SCRIPT",
            "BACKUP");

    private H2ReadOnly() {}

    /** Whether {@code sql} only reads. */
    static boolean onlyReads(String sql) {
        int n = sql.length();
        boolean first = true;
        boolean ended = false;
        for (int i = 0; i < n; ) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (ended) {
                return false; // something after the ';': a second statement
            } else if (c == ';') {
                ended = true;
                i++;
            } else if (c == '\'' || c == '"' || c == '`') {
                int end = i + 1;
                while (true) {
                    end = sql.indexOf(c, end);
                    if (end < 0) {
                        return false;
                    }
                    if (end + 1 < n && sql.charAt(end + 1) == c) {
                        end += 2; // a doubled quote inside
                    } else {
                        break;
                    }
                }
                i = end + 1;
                first = false;
            } else if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
                    end++;
                }
                String word = sql.substring(i, end).toUpperCase(Locale.ROOT);
                if (first ? !READS.contains(word) : WRITES.contains(word) || nextValue(word, sql, end)) {
                    return false;
                }
                first = false;
                i = end;
            } else {
                if (first && c != '(') {
                    return false;
                }
                i++;
            }
        }
        return !first;
    }

    /** {@code NEXT VALUE FOR} advances a sequence; {@code FETCH NEXT n ROWS} only reads. */
    private static boolean nextValue(String word, String sql, int end) {
        if (!word.equals("NEXT")) {
            return false;
        }
        int i = end;
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        return sql.regionMatches(true, i, "VALUE", 0, 5);
    }
}
