package dev.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

class TenantIdTest {

    /** A name PostgreSQL and H2 accept unquoted, in lowercase, within PostgreSQL's 63-byte limit. */
    private static final Pattern SAFE_SQL_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    @Provide
    Arbitrary<String> validIds() {
        Arbitrary<Character> edge = Arbitraries.chars().range('a', 'z').with('0', '1', '9');
        Arbitrary<String> middle = Arbitraries.strings()
                .withCharRange('a', 'z')
                .numeric()
                .withChars('-')
                .ofMaxLength(TenantId.MAX_LENGTH - 2);
        return net.jqwik.api.Combinators.combine(edge, middle, edge)
                .as((a, m, b) -> a + m + b)
                .map(s -> s.replaceAll("-{2,}", "-"))
                .filter(TenantId::isValid);
    }

    @Property
    void everyValidId_mapsToASafeSchemaAndDatabaseName(@ForAll("validIds") String value) {
        TenantId id = TenantId.of(value);
        assertThat(id.schemaName()).matches(SAFE_SQL_NAME).startsWith("t_");
        assertThat(id.databaseName()).matches(SAFE_SQL_NAME);
        assertThat(id.schemaName()).isNotIn("public", "information_schema").doesNotStartWith("pg_");
    }

    @Property
    void differentIds_neverShareASchemaName(@ForAll("validIds") String a, @ForAll("validIds") String b) {
        if (!a.equals(b)) {
            assertThat(TenantId.of(a).schemaName()).isNotEqualTo(TenantId.of(b).schemaName());
        }
    }

    @Property
    void schemaName_isReversible(@ForAll("validIds") String value) {
        // Injective because the mapping can be undone: strip the prefix, turn '_' back into '-'.
        TenantId id = TenantId.of(value);
        String back = id.schemaName().substring(TenantId.NAME_PREFIX.length()).replace('_', '-');
        assertThat(back).isEqualTo(value);
    }

    @Property(tries = 2000)
    void anyString_isEitherAValidIdOrRefusedNamingTheValue(@ForAll @StringLength(max = 60) String value) {
        if (TenantId.isValid(value)) {
            assertThat(TenantId.of(value).value()).isEqualTo(value).matches("[a-z0-9-]+");
        } else {
            assertThatThrownBy(() -> TenantId.of(value))
                    .isInstanceOfSatisfying(InvalidTenantIdException.class, e -> {
                        assertThat(e.value()).isEqualTo(value);
                        assertThat(e.rule()).isNotBlank();
                    })
                    .hasMessageStartingWith("Invalid tenant id ");
        }
    }

    @Example
    void uppercase_isRefusedWithTheLowercaseSuggestion() {
        assertThatThrownBy(() -> TenantId.of("Acme"))
                .isInstanceOf(InvalidTenantIdException.class)
                .hasMessage("Invalid tenant id 'Acme': must be lowercase; use 'acme' instead");
    }

    @Example
    void sqlInjection_isRefusedNamingTheCharacter() {
        assertThatThrownBy(() -> TenantId.of("acme'; drop table tenants;--"))
                .hasMessageContaining(
                        "may contain only a-z, 0-9 and '-', found ''' at index 4; use 'acme-drop-table-tenants' instead");
        assertThatThrownBy(() -> TenantId.of("Acme Corp"))
                .hasMessageEndingWith("must be lowercase; use 'acme-corp' instead");
        assertThatThrownBy(() -> TenantId.of("!!")).hasMessageEndingWith("at index 0");
    }

    @Example
    void reservedNames_areRefused() {
        for (String reserved :
                new String[] {"public", "www", "system", "postgres", "template1", "pg-catalog", "information-schema"}) {
            assertThatThrownBy(() -> TenantId.of(reserved)).as(reserved).hasMessageContaining("reserved");
        }
    }

    @Example
    void lengthAndHyphenRules() {
        assertThat(TenantId.isValid("a")).isTrue();
        assertThat(TenantId.isValid("a".repeat(48))).isTrue();
        assertThat(TenantId.isValid("a".repeat(49))).isFalse();
        assertThat(TenantId.isValid("")).isFalse();
        assertThat(TenantId.isValid(null)).isFalse();
        assertThat(TenantId.isValid("-acme")).isFalse();
        assertThat(TenantId.isValid("acme-")).isFalse();
        assertThat(TenantId.isValid("ac--me")).isFalse();
        assertThat(TenantId.isValid("acme_corp")).isFalse();
        assertThat(TenantId.isValid("acme-corp-2")).isTrue();
        assertThat(TenantId.of("acme-corp").schemaName()).isEqualTo("t_acme_corp");
    }

    @Example
    void controlCharacters_areEscapedInTheMessage() {
        assertThatThrownBy(() -> TenantId.of("ac\nme\u0000")).hasMessageContaining("'ac\\u000ame\\u0000'");
    }

    @Example
    void bidirectionalAndZeroWidthCharacters_areEscapedInTheMessage() {
        // RIGHT-TO-LEFT OVERRIDE, isolates, ZERO WIDTH SPACE / JOINER, BOM, LINE SEPARATOR, a lone surrogate
        String hostile = "acme\u202egro\u2066x\u2069\u200b\u200d\ufeff\u2028\ud800";
        assertThatThrownBy(() -> TenantId.of(hostile))
                .hasMessageContaining("'acme\\u202egro\\u2066x\\u2069\\u200b\\u200d\\ufeff\\u2028\\ud800'")
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain("\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u2028", "\ud800"));
    }
}
