package io.github.taskgroup.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import com.jayway.jsonpath.JsonPath;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the README's property table and the generated configuration metadata in step.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DocumentationTests {

    @Test
    void every_property_in_the_metadata_is_in_the_readme_table_with_a_description() throws IOException {
        // The repository's README (tests run in the module's folder) documents every property in a table.
        String readme = Files.readString(Path.of("..", "README.md"));
        String json;
        try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            json = new String(metadata.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> properties = JsonPath.read(json, "$.properties[*].name");
        List<String> undescribed = JsonPath.read(json, "$.properties[?(!@.description)].name");
        assertThat(undescribed).isEmpty();
        assertThat(properties).hasSizeGreaterThan(20);
        for (String property : properties) {
            String documented = property.equals("taskgroup.groups") ? "taskgroup.groups.<name>." : property + "`";
            assertThat(readme).as("README row for %s", property).contains("`" + documented);
        }
    }
}
