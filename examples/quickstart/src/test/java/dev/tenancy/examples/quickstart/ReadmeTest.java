package dev.tenancy.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's usage example is the code of {@link ReadmeExample}, so it always compiles and runs. */
class ReadmeTest {

    /** Code without its layout: the formatter may wrap lines differently from the README. */
    private static String normalize(String code) {
        return code.replaceAll("\\s+", "");
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start);
        int to = text.indexOf(end, from + start.length());
        assertThat(from).as("marker " + start).isNotNegative();
        assertThat(to).as("marker " + end).isNotNegative();
        return text.substring(from + start.length(), to);
    }

    @Test
    void readmeUsageExample_isTheTestedCode() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("README.md"))) {
            root = root.getParent();
        }
        String readme = Files.readString(root.resolve("README.md"));
        String source = Files.readString(Path.of("src/main/java/dev/tenancy/examples/quickstart/ReadmeExample.java"));

        String documented = between(readme, "<!-- usage:start -->\n```java", "```\n<!-- usage:end -->");
        String tested = between(source, "// README:start", "// README:end");
        assertThat(normalize(documented)).isEqualTo(normalize(tested));
    }
}
