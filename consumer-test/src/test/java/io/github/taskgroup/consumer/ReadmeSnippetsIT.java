package io.github.taskgroup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The README's Spring Boot "Setup" snippets, proved: a new Spring Boot 4.0.7 application made of them builds,
 * starts, and its injected {@code TaskGroupFactory}, request-scoped groups, meters and endpoint work.
 *
 * <ol>
 * <li>The snippets are read from {@code README.md} now, so the document and the test cannot drift: the first
 * {@code ```xml} block that contains {@code taskgroup-bom} (a {@code <dependencyManagement>} import) and the first
 * that contains {@code <artifactId>taskgroup-spring-boot-starter</artifactId>} (a {@code <dependency>}).</li>
 * <li>Our artifacts, as this reactor has just packaged them, are staged into {@code target/consumer-repository}:
 * the root POM and every published module (listed in the root POM's {@code <modules>}, not
 * {@code maven.deploy.skip}): its POM, and its jar (with sources and Javadoc jars when built).</li>
 * <li>A throwaway application ({@code target/consumer-app}: Boot's starter parent, webmvc, actuator, Prometheus,
 * the snippets verbatim, the Boot plugin, and this module's main sources) is built with {@code mvn -o package},
 * and its jar started with {@code java -jar} and checked over HTTP. The process is killed in every case.</li>
 * </ol>
 *
 * <p><b>Offline resolution.</b> Maven 3.8.7 (resolver 1.6) has a single local repository, without the "tail"
 * repositories of Maven 3.9. The inner build therefore gets its own local repository,
 * {@code target/consumer-repository}, and:
 * <ul>
 * <li>our artifacts are copied into it as {@code mvn install} would lay them out, so they are "locally
 * installed": found without any remote repository and never looked up elsewhere, and nothing of ours is ever
 * written to the real local repository (using the real one as the inner local repository, with the staging
 * directory as a {@code file://} repository, would copy our snapshots into it);</li>
 * <li>every remote repository is mirrored to {@code file://} the outer build's real local repository
 * ({@code settings.localRepository}, read only: it is a plain repository layout), and the build runs with
 * {@code -o -Daether.offline.protocols=file}: offline, except for {@code file:} URLs (honoured by Maven
 * Resolver's offline controller since Aether, so by 3.8.7). No network is used; a missing third-party
 * artifact fails the build instead of being downloaded. The inner local repository keeps what it copied
 * between runs (until {@code mvn clean}): only our artifacts are staged again each time.</li>
 * </ul>
 * This module has Boot's starter parent and the same dependencies and plugins as the throwaway application,
 * so the outer (online) build has downloaded everything the inner one needs. The inner build runs on the
 * outer build's JDK ({@code JAVA_HOME} = this JVM's {@code java.home}) and Maven ({@code maven.home}). The jar
 * the inner build packages must carry byte-identical copies of the jars staged from this reactor.
 */
class ReadmeSnippetsIT {

    private static final String STARTER = "<artifactId>taskgroup-spring-boot-starter</artifactId>";

    private static final Pattern PORT = Pattern.compile("started on port\\D*(\\d+)");

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(4);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path rootDir =
            Paths.get(property("taskgroup.it.rootDir", "..")).toAbsolutePath().normalize();

    private final Path buildDir = Paths.get(property("taskgroup.it.buildDir", "target"))
            .toAbsolutePath()
            .normalize();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void the_readme_setup_snippets_build_start_and_serve_a_spring_boot_application() throws Exception {
        // -Dtaskgroup.it.readme=<file> tries another README (a broken copy, say) without touching this one.
        String readme = Files.readString(Paths.get(property(
                "taskgroup.it.readme", this.rootDir.resolve("README.md").toString())));
        String bomSnippet = xmlBlock(readme, "taskgroup-bom", "<dependencyManagement>");
        String starterSnippet = xmlBlock(readme, STARTER, "<dependency>");

        Path localRepository = this.buildDir.resolve("consumer-repository");
        List<Path> stagedJars = stageReactorArtifacts(localRepository);

        Path app = this.buildDir.resolve("consumer-app");
        writeConsumerProject(app, bomSnippet, starterSnippet);
        Path jar = buildConsumer(app, localRepository);
        assertPackagedWithStagedJars(jar, stagedJars);

        runAndCheck(app, jar);
    }

    // --- 1. The README's snippets ------------------------------------------------------------------------------

    /** The first {@code ```xml} block of the README that contains {@code marker}; it must start with {@code root}. */
    private static String xmlBlock(String readme, String marker, String root) {
        List<String> blocks = new ArrayList<>();
        Matcher block = Pattern.compile("(?m)^```xml[ \\t]*\\R(.*?)^```[ \\t]*$", Pattern.DOTALL)
                .matcher(readme);
        while (block.find()) {
            blocks.add(block.group(1));
        }
        String found = blocks.stream()
                .filter(b -> b.contains(marker))
                .findFirst()
                .orElseGet(() -> fail("README.md has no ```xml block containing " + marker + " (the Spring Boot setup"
                        + " snippet that ReadmeSnippetsIT copies into a new application). Keep one, or change the"
                        + " rule in " + ReadmeSnippetsIT.class.getName()));
        if (!found.strip().startsWith(root)) {
            fail("The first ```xml block of README.md containing " + marker + " must be a " + root + " element,"
                    + " to be pasted into a POM as it is; it is:\n" + found);
        }
        return found;
    }

    // --- 2. Staging our artifacts ------------------------------------------------------------------------------

    /** Copies the root POM and every published module into the local repository; returns the staged jars. */
    private List<Path> stageReactorArtifacts(Path localRepository) throws Exception {
        Path rootPom = this.rootDir.resolve("pom.xml");
        Document root = parse(rootPom);
        String groupId = text(root.getDocumentElement(), "groupId")
                .orElseThrow(() -> new IllegalStateException("No groupId in " + rootPom));
        String version = text(root.getDocumentElement(), "version")
                .orElseThrow(() -> new IllegalStateException("No version in " + rootPom));

        // A fresh copy of our artifacts each run; whatever else the inner repository holds stays.
        deleteRecursively(localRepository.resolve(groupId.replace('.', '/')));

        List<Path> jars = new ArrayList<>();
        stage(
                localRepository,
                groupId,
                text(root.getDocumentElement(), "artifactId").orElseThrow(),
                version,
                rootPom,
                "pom",
                null);
        List<String> modules = children(child(root.getDocumentElement(), "modules"), "module");
        assertThat(modules).as("modules of %s", rootPom).isNotEmpty();
        for (String module : modules) {
            Path dir = this.rootDir.resolve(module);
            Path pom = dir.resolve("pom.xml");
            Element project = parse(pom).getDocumentElement();
            Element properties = child(project, "properties");
            if (properties != null
                    && text(properties, "maven.deploy.skip").map("true"::equals).orElse(false)) {
                continue; // not published (samples, benchmarks, this test)
            }
            Element parent = child(project, "parent");
            String moduleGroupId =
                    text(project, "groupId").or(() -> text(parent, "groupId")).orElse(groupId);
            String moduleVersion =
                    text(project, "version").or(() -> text(parent, "version")).orElse(version);
            String artifactId = text(project, "artifactId").orElseThrow();
            String packaging = text(project, "packaging").orElse("jar");
            jars.addAll(stage(
                    localRepository, moduleGroupId, artifactId, moduleVersion, pom, packaging, dir.resolve("target")));
        }
        return jars;
    }

    private static List<Path> stage(
            Path localRepository,
            String groupId,
            String artifactId,
            String version,
            Path pom,
            String packaging,
            Path target)
            throws IOException {
        Path dir = localRepository
                .resolve(groupId.replace('.', '/'))
                .resolve(artifactId)
                .resolve(version);
        Files.createDirectories(dir);
        String base = artifactId + "-" + version;
        Files.copy(pom, dir.resolve(base + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        List<Path> jars = new ArrayList<>();
        if ("jar".equals(packaging)) {
            Path jar = target.resolve(base + ".jar");
            if (!Files.isRegularFile(jar)) {
                fail(jar + " does not exist: run the whole reactor (mvn verify from the root), which packages "
                        + artifactId + " before this test");
            }
            Files.copy(jar, dir.resolve(base + ".jar"), StandardCopyOption.REPLACE_EXISTING);
            jars.add(jar);
            for (String classifier : List.of("sources", "javadoc")) {
                Path attached = target.resolve(base + "-" + classifier + ".jar");
                if (Files.isRegularFile(attached)) {
                    Files.copy(attached, dir.resolve(attached.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return jars;
    }

    // --- 3. The throwaway application --------------------------------------------------------------------------

    private void writeConsumerProject(Path app, String bomSnippet, String starterSnippet) throws IOException {
        deleteRecursively(app);
        // An empty .mvn stops the mvn script's search for a project root (and its maven.config) above target/.
        Files.createDirectories(app.resolve(".mvn"));
        String pom = """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
                  <modelVersion>4.0.0</modelVersion>
                  <parent>
                    <groupId>org.springframework.boot</groupId>
                    <artifactId>spring-boot-starter-parent</artifactId>
                    <version>4.0.7</version>
                    <relativePath/>
                  </parent>
                  <groupId>com.example</groupId>
                  <artifactId>consumer-app</artifactId>
                  <version>0.0.1</version>

                <!-- From README.md -->
                %s
                  <dependencies>
                    <dependency>
                      <groupId>org.springframework.boot</groupId>
                      <artifactId>spring-boot-starter-webmvc</artifactId>
                    </dependency>
                    <dependency>
                      <groupId>org.springframework.boot</groupId>
                      <artifactId>spring-boot-starter-actuator</artifactId>
                    </dependency>
                    <dependency>
                      <groupId>io.micrometer</groupId>
                      <artifactId>micrometer-registry-prometheus</artifactId>
                    </dependency>
                <!-- From README.md -->
                %s
                  </dependencies>

                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.springframework.boot</groupId>
                        <artifactId>spring-boot-maven-plugin</artifactId>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(bomSnippet, starterSnippet);
        Files.writeString(app.resolve("pom.xml"), pom);

        // This module's main sources are the application (they compile in the reactor too).
        Path sources = this.rootDir.resolve("consumer-test/src/main");
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                Path copy =
                        app.resolve("src/main").resolve(sources.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy);
            }
        }
    }

    private Path buildConsumer(Path app, Path localRepository) throws Exception {
        Path realLocalRepository = Paths.get(property(
                        "taskgroup.it.realLocalRepository", System.getProperty("user.home") + "/.m2/repository"))
                .toAbsolutePath();
        assertThat(realLocalRepository).as("the outer build's local repository").isDirectory();
        Path settings = this.buildDir.resolve("consumer-settings.xml");
        Files.writeString(settings, """
                <settings>
                  <localRepository>%1$s</localRepository>
                  <offline>true</offline>
                  <mirrors>
                    <mirror>
                      <id>outer-local-repository</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%2$s</url>
                    </mirror>
                  </mirrors>
                  <!-- Central redefined only for its policy, which the mirror keeps: a local repository has no
                       checksum files for what was installed or copied into it, and a warning each is noise. -->
                  <profiles>
                    <profile>
                      <id>outer-local-repository</id>
                      <repositories>
                        <repository>
                          <id>central</id>
                          <url>%2$s</url>
                          <releases><checksumPolicy>ignore</checksumPolicy></releases>
                          <snapshots><enabled>false</enabled></snapshots>
                        </repository>
                      </repositories>
                      <pluginRepositories>
                        <pluginRepository>
                          <id>central</id>
                          <url>%2$s</url>
                          <releases><checksumPolicy>ignore</checksumPolicy></releases>
                          <snapshots><enabled>false</enabled></snapshots>
                        </pluginRepository>
                      </pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles>
                    <activeProfile>outer-local-repository</activeProfile>
                  </activeProfiles>
                </settings>
                """.formatted(localRepository, realLocalRepository.toUri()));

        List<String> command = new ArrayList<>(List.of(
                mavenExecutable(),
                "-B",
                "-ntp",
                "-o",
                "-Daether.offline.protocols=file",
                "-s",
                settings.toString(),
                "-gs",
                settings.toString(),
                "-Dmaven.repo.local=" + localRepository,
                "package"));
        Path log = this.buildDir.resolve("consumer-build.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(app.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.remove("MAVEN_ARGS");
        Process build = builder.start();
        try {
            if (!build.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                fail("The consumer build (" + String.join(" ", command) + ") took more than " + BUILD_TIMEOUT + "\n"
                        + tail(log));
            }
        } finally {
            kill(build);
        }
        if (build.exitValue() != 0) {
            fail("The application made of the README's Spring Boot setup snippets does not build offline against"
                    + " the artifacts of this reactor (exit " + build.exitValue() + ").\nCommand, in " + app + ": "
                    + String.join(" ", command) + "\nIts POM, with the snippets:\n"
                    + Files.readString(app.resolve("pom.xml"))
                    + "\nEnd of " + log + ":\n" + tail(log));
        }
        Path jar = app.resolve("target/consumer-app-0.0.1.jar");
        assertThat(jar).as("the consumer's packaged jar").isRegularFile();
        return jar;
    }

    /** Published modules that the starter does not bring: an application adds them itself when it wants them. */
    private static final List<String> NOT_IN_THE_STARTER = List.of("taskgroup-reactor-");

    /** Resolution went through our staged copies, not some older copy of our artifacts elsewhere. */
    private static void assertPackagedWithStagedJars(Path jar, List<Path> stagedJars) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (Path staged : stagedJars) {
                String name = staged.getFileName().toString();
                ZipEntry entry = zip.getEntry("BOOT-INF/lib/" + name);
                if (NOT_IN_THE_STARTER.stream().anyMatch(name::startsWith)) {
                    assertThat(entry)
                            .as("%s in %s: the starter does not bring it", name, jar)
                            .isNull();
                    continue;
                }
                assertThat(entry).as("%s in %s", staged.getFileName(), jar).isNotNull();
                try (InputStream in = zip.getInputStream(entry)) {
                    assertThat(Arrays.equals(in.readAllBytes(), Files.readAllBytes(staged)))
                            .as("%s in %s is the jar this reactor built", staged.getFileName(), jar)
                            .isTrue();
                }
            }
        }
    }

    // --- 4. Running it -----------------------------------------------------------------------------------------

    private void runAndCheck(Path app, Path jar) throws Exception {
        Path log = this.buildDir.resolve("consumer-app.log");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java, "-jar", jar.toString(), "--server.port=0", "--spring.main.banner-mode=off")
                .directory(app.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        // Also if this JVM is stopped (a failsafe timeout, Ctrl-C) before the finally block runs.
        Thread killer = new Thread(() -> kill(process));
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            int port = awaitPort(process, log);
            String base = "http://localhost:" + port;

            assertThat(get(base + "/factory", log).body()).isEqualTo("factory:42,forty-two");
            assertThat(get(base + "/request", log).body()).isEqualTo("request:GET /request:42,forty-two");

            HttpResponse<String> taskgroups = get(base + "/actuator/taskgroups", log);
            assertThat(taskgroups.headers().firstValue("Content-Type").orElse(""))
                    .contains("json");
            assertThat(taskgroups.body()).startsWith("{").contains("\"summary\"");

            String prometheus = get(base + "/actuator/prometheus", log).body();
            List<String> spawned = prometheus
                    .lines()
                    .filter(line -> line.startsWith("taskgroup_tasks_spawned"))
                    .collect(Collectors.toList());
            assertThat(spawned)
                    .as("taskgroup_tasks_spawned series in /actuator/prometheus:\n%s", prometheus)
                    .isNotEmpty();
        } finally {
            kill(process);
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        assertThat(process.isAlive()).isFalse();
    }

    private static int awaitPort(Process process, Path log) {
        Matcher port;
        try {
            port = await().atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> {
                                if (!process.isAlive()) {
                                    fail("The consumer application exited with " + process.exitValue()
                                            + " before it listened:\n" + tail(log));
                                }
                                return PORT.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
                            },
                            Matcher::find);
        } catch (ConditionTimeoutException notListening) {
            return fail("The consumer application did not listen within " + START_TIMEOUT + ":\n" + tail(log));
        }
        return Integer.parseInt(port.group(1));
    }

    private HttpResponse<String> get(String url, Path log) throws Exception {
        HttpResponse<String> response = this.http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(20))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            fail("GET " + url + " answered " + response.statusCode() + ": " + response.body() + "\n" + tail(log));
        }
        return response;
    }

    // --- Helpers -----------------------------------------------------------------------------------------------

    private static void kill(Process process) {
        List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    private static String mavenExecutable() {
        String home = property("taskgroup.it.mavenHome", "");
        boolean windows = System.getProperty("os.name").toLowerCase().startsWith("windows");
        if (home.isEmpty()) {
            return windows ? "mvn.cmd" : "mvn";
        }
        return Paths.get(home, "bin", windows ? "mvn.cmd" : "mvn").toString();
    }

    /** A system property set by the POM; its default when blank or not interpolated. */
    private static String property(String name, String defaultValue) {
        String value = System.getProperty(name, "");
        return value.isBlank() || value.startsWith("${") ? defaultValue : value;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        } catch (IOException ex) {
            return "(no log at " + log + ": " + ex + ")";
        }
    }

    private static Document parse(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(pom.toFile());
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element && ((Element) node).getTagName().equals(name)) {
                return (Element) node;
            }
        }
        return null;
    }

    private static Optional<String> text(Element parent, String name) {
        return Optional.ofNullable(child(parent, name))
                .map(e -> e.getTextContent().strip());
    }

    private static List<String> children(Element parent, String name) {
        List<String> values = new ArrayList<>();
        if (parent != null) {
            for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node instanceof Element && ((Element) node).getTagName().equals(name)) {
                    values.add(node.getTextContent().strip());
                }
            }
        }
        return values;
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
    }
}
