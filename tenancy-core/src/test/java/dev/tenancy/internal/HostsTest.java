package dev.tenancy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class HostsTest {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern HOST = Pattern.compile(LABEL + "(\\." + LABEL + ")*");

    @Provide
    Arbitrary<String> hostish() {
        return Arbitraries.strings().withChars("aZ9-.:").ofMaxLength(30);
    }

    @Property(tries = 3000)
    void normalized_isAValidLowercaseHost_andStable(@ForAll("hostish") String host) {
        String normalized = Hosts.normalize(host);
        if (normalized != null) {
            assertThat(normalized).matches(HOST).hasSizeLessThanOrEqualTo(253);
            assertThat(Hosts.normalize(normalized)).isEqualTo(normalized);
        }
    }

    @Property(tries = 3000)
    void anyString_normalizesOrIsRefused_neverThrows(@ForAll String host) {
        String normalized = Hosts.normalize(host);
        if (normalized != null) {
            assertThat(normalized).matches(HOST);
        }
    }

    @Example
    void examples() {
        assertThat(Hosts.normalize("App.Acme.COM")).isEqualTo("app.acme.com");
        assertThat(Hosts.normalize("app.acme.com:8443")).isEqualTo("app.acme.com");
        assertThat(Hosts.normalize("app.acme.com.")).isEqualTo("app.acme.com");
        assertThat(Hosts.normalize("app.acme.com.:443")).isEqualTo("app.acme.com");
        assertThat(Hosts.normalize("localhost")).isEqualTo("localhost");
        assertThat(Hosts.normalize("a-b.c")).isEqualTo("a-b.c");
        for (String bad : new String[] {
            "",
            ".",
            "..",
            ":443",
            "a..b",
            ".a",
            "-a.com",
            "a-.com",
            "a.-b",
            "a:",
            "a:123456",
            "a:12x",
            "a b",
            "a_b.com",
            "a.com..",
            "ä.com",
            "a".repeat(64) + ".com",
            "[::1]"
        }) {
            assertThat(Hosts.normalize(bad)).as(bad).isNull();
        }
        assertThat(Hosts.normalize("a."))
                .as("one trailing dot is the fully qualified form")
                .isEqualTo("a");
        assertThat(Hosts.normalize("a".repeat(63) + ".com")).isNotNull();
    }
}
