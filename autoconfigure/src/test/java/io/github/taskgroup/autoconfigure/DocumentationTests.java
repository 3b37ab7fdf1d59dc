package io.github.taskgroup.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation's one property table (docs/configuration.md) and the generated configuration metadata
 * in step, and the README short.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DocumentationTests {

    /** Tests run in the module's folder; the documentation is at the repository's root. */
    private static final Path ROOT = Path.of("..");

    private static final Path CONFIGURATION = ROOT.resolve("docs/configuration.md");

    private static final String NAMED_GROUP = "taskgroup.groups.<name>.";

    private static final String NAMED_LIMIT = "taskgroup.limits.<name>.";

    @Test
    void every_property_in_the_metadata_is_in_the_configuration_table_with_a_description() throws IOException {
        List<String> rows = tableRows(CONFIGURATION);
        String json = metadata();
        List<String> properties = JsonPath.read(json, "$.properties[*].name");
        List<String> undescribed = JsonPath.read(json, "$.properties[?(!@.description)].name");
        assertThat(undescribed).isEmpty();
        assertThat(properties).hasSizeGreaterThan(20);
        for (String property : properties) {
            String documented = property.equals("taskgroup.groups")
                    ? "`" + NAMED_GROUP
                    : property.equals("taskgroup.limits") ? "`" + NAMED_LIMIT : "`" + property + "`";
            assertThat(rows)
                    .as("row of docs/configuration.md for %s", property)
                    .anyMatch((row) -> firstCell(row).startsWith(documented));
        }
    }

    @Test
    void each_property_has_exactly_one_row_across_the_readme_and_the_docs() throws IOException {
        List<String> properties = JsonPath.read(metadata(), "$.properties[*].name");
        List<String> propertyRows = new ArrayList<>();
        for (Path page : pages()) {
            for (String row : tableRows(page)) {
                String cell = firstCell(row);
                if (isPropertyCell(cell, properties)) {
                    propertyRows.add(ROOT.relativize(page) + ": " + cell);
                }
            }
        }
        assertThat(propertyRows)
                .as("property rows outside docs/configuration.md")
                .allMatch((row) -> row.startsWith(ROOT.relativize(CONFIGURATION) + ": "));
        assertThat(propertyRows).as("property rows of docs/configuration.md").doesNotHaveDuplicates();
    }

    @Test
    void the_readme_is_short() throws IOException {
        assertThat(Files.readAllLines(ROOT.resolve("README.md")))
                .as("lines of README.md")
                .hasSizeLessThanOrEqualTo(320);
    }

    private String metadata() throws IOException {
        try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            return new String(metadata.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** README.md and every Markdown page under docs/. */
    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private static List<String> tableRows(Path page) throws IOException {
        return Files.readAllLines(page).stream()
                .map(String::strip)
                .filter((line) -> line.startsWith("|"))
                .toList();
    }

    /** The first cell of a table row, stripped: "| `taskgroup.policy` | ..." gives "`taskgroup.policy`". */
    private static String firstCell(String row) {
        int end = row.indexOf('|', 1);
        return ((end < 0) ? row.substring(1) : row.substring(1, end)).strip();
    }

    /** Whether a first cell names a configuration property (a meter named taskgroup.* does not count). */
    private static boolean isPropertyCell(String cell, List<String> properties) {
        if (cell.startsWith("`" + NAMED_GROUP) || cell.startsWith("`" + NAMED_LIMIT)) {
            return true;
        }
        return properties.stream().anyMatch((property) -> cell.equals("`" + property + "`"));
    }
}
