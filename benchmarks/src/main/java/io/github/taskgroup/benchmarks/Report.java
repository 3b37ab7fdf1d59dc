package io.github.taskgroup.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns a JMH CSV result file ({@code -rf csv}, with {@code -prof gc}) into the markdown tables of
 * RESULTS.md: fork/join per N with ratios to raw virtual threads, the concurrency-limit comparison, and
 * the targets checked against this run. Usage: {@code Report <results.csv> <out.md> <title>}.
 */
public final class Report {

    private static final String FORK_JOIN = "ForkJoinBenchmark.";
    private static final String LIMIT = "LimitBenchmark.";
    private static final String RAW = "rawVirtualThreads";
    private static final String[] ORDER = {
        RAW,
        "virtualThreadPerTaskExecutor",
        "structuredTaskScope",
        "completableFutureAllOf",
        "joxSupervised",
        "taskGroup",
        "taskGroupMetrics",
        "taskGroupNoRename",
        "taskGroupNoRenameBareExecutor"
    };

    /** One score: mean and 99.9% error half-width. */
    record Score(double mean, double error) {}

    private final Map<String, Score> time = new LinkedHashMap<>(); // "class.method|param" -> ns/op
    private final Map<String, Score> alloc = new LinkedHashMap<>(); // idem -> B/op

    private Report(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = parse(lines.get(0));
        int paramColumn = -1;
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).equals("Param: n")) {
                paramColumn = i;
            }
        }
        for (String line : lines.subList(1, lines.size())) {
            List<String> cols = parse(line);
            if (cols.size() < 7) {
                continue;
            }
            String full = cols.get(0);
            String shortName = shortName(full);
            String param = paramColumn >= 0 && paramColumn < cols.size() ? cols.get(paramColumn) : "";
            Score score = new Score(number(cols.get(4)), number(cols.get(5)));
            if (full.endsWith(":gc.alloc.rate.norm")) {
                alloc.put(shortName + "|" + param, score);
            } else if (!full.contains(":")) {
                time.put(shortName + "|" + param, score);
            }
        }
    }

    private static String shortName(String full) {
        String base = full.contains(":") ? full.substring(0, full.indexOf(':')) : full;
        int method = base.lastIndexOf('.');
        int clazz = base.lastIndexOf('.', method - 1);
        return base.substring(clazz + 1);
    }

    private static double number(String text) {
        if (text.isEmpty() || text.equalsIgnoreCase("NaN")) {
            return Double.NaN;
        }
        return Double.parseDouble(text.replace(',', '.'));
    }

    private static List<String> parse(String line) {
        List<String> cols = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                cols.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        cols.add(current.toString());
        return cols;
    }

    private Score t(String method, String n) {
        return time.get(FORK_JOIN + method + "|" + n);
    }

    private Score a(String method, String n) {
        return alloc.get(FORK_JOIN + method + "|" + n);
    }

    private static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }

    private static String ns(Score s) {
        if (s == null) {
            return "n/a";
        }
        return Double.isNaN(s.error()) ? fmt("%,.0f", s.mean()) : fmt("%,.0f ± %,.0f", s.mean(), s.error());
    }

    String render(String title) {
        StringBuilder md = new StringBuilder();
        md.append("### ").append(title).append("\n\n");
        TreeSet<Integer> ns = new TreeSet<>();
        for (String key : time.keySet()) {
            if (key.startsWith(FORK_JOIN)) {
                ns.add(Integer.parseInt(key.substring(key.indexOf('|') + 1)));
            }
        }
        md.append("#### Fork/join of a whole group (score: ns per group, ± 99.9% CI half-width)\n\n");
        md.append(
                "| N | implementation | ns/group | ns/child | x raw | ns/child over raw | B/group | B/child over raw |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (int n : ns) {
            String key = Integer.toString(n);
            Score raw = t(RAW, key);
            Score rawAlloc = a(RAW, key);
            for (String method : ORDER) {
                Score s = t(method, key);
                if (s == null) {
                    continue;
                }
                Score al = a(method, key);
                md.append(fmt(
                        "| %d | %s | %s | %,.0f | %s | %s | %s | %s |%n",
                        n,
                        method,
                        ns(s),
                        s.mean() / n,
                        raw == null ? "n/a" : fmt("%.2f", s.mean() / raw.mean()),
                        raw == null ? "n/a" : fmt("%+,.0f", (s.mean() - raw.mean()) / n),
                        al == null ? "n/a" : fmt("%,.0f", al.mean()),
                        al == null || rawAlloc == null ? "n/a" : fmt("%+,.0f", (al.mean() - rawAlloc.mean()) / n)));
            }
        }
        md.append("\n#### Targets (this run)\n\n");
        md.append("| target | measured | verdict |\n|---|---|---|\n");
        for (String n : new String[] {"100", "1000"}) {
            Score raw = t(RAW, n);
            Score tg = t("taskGroup", n);
            if (raw != null && tg != null) {
                double over = (tg.mean() - raw.mean()) / Integer.parseInt(n);
                md.append(fmt(
                        "| per-child cost over raw at N=%s <= +100 ns (about 1.3x) | %+,.0f ns/child (%.2fx) | %s |%n",
                        n, over, tg.mean() / raw.mean(), over <= 100 ? "met" : "**missed**"));
            }
        }
        Score raw1 = t(RAW, "1");
        Score tg1 = t("taskGroup", "1");
        if (raw1 != null && tg1 != null) {
            double ratio = tg1.mean() / raw1.mean();
            md.append(fmt(
                    "| fixed cost of a group (N=1) <= 1.2x raw | %.2fx (%,.0f vs %,.0f ns) | %s |%n",
                    ratio, tg1.mean(), raw1.mean(), ratio <= 1.2 ? "met" : "**missed**"));
        }
        for (String n : new String[] {"100", "1000"}) {
            Score raw = a(RAW, n);
            Score tg = a("taskGroup", n);
            if (raw != null && tg != null) {
                double over = (tg.mean() - raw.mean()) / Integer.parseInt(n);
                md.append(fmt(
                        "| allocation over raw at N=%s <= +100 B/child | %+,.0f B/child | %s |%n",
                        n, over, over <= 100 ? "met" : "**missed**"));
            }
        }
        Score rawA1 = a(RAW, "1");
        Score tgA1 = a("taskGroup", "1");
        Score rawA1000 = a(RAW, "1000");
        Score tgA1000 = a("taskGroup", "1000");
        if (rawA1 != null && tgA1 != null && rawA1000 != null && tgA1000 != null) {
            double perChild = ((tgA1000.mean() - rawA1000.mean()) - (tgA1.mean() - rawA1.mean())) / 999.0;
            double fixed = (tgA1.mean() - rawA1.mean()) - perChild;
            md.append(fmt(
                    "| allocation per group (fixed part, intercept of N=1 and N=1000) <= about 1.1 KB | %,.0f B | %s |%n",
                    fixed, fixed <= 1150 ? "met" : "**missed**"));
        }
        for (String n : new String[] {"100", "1000"}) {
            Score off = t("taskGroup", n);
            Score on = t("taskGroupMetrics", n);
            if (off != null && on != null) {
                double over = (on.mean() - off.mean()) / Integer.parseInt(n);
                md.append(fmt(
                        "| metrics on at N=%s <= +50 ns/child over metrics off | %+,.0f ns/child | %s |%n",
                        n, over, over <= 50 ? "met" : "**missed**"));
            }
        }
        md.append("\n");
        boolean limit = time.keySet().stream().anyMatch(k -> k.startsWith(LIMIT));
        if (limit) {
            md.append("#### 1,000 tasks under a concurrency limit of 8 (ns per batch)\n\n");
            md.append("| implementation | ns/batch | ns/task | x semaphoreOwnerAcquires | B/batch |\n");
            md.append("|---|---:|---:|---:|---:|\n");
            Score base = null;
            for (Map.Entry<String, Score> e : time.entrySet()) {
                if (e.getKey().startsWith(LIMIT + "semaphoreOwnerAcquires")) {
                    base = e.getValue();
                }
            }
            for (Map.Entry<String, Score> e : time.entrySet()) {
                if (!e.getKey().startsWith(LIMIT)) {
                    continue;
                }
                String method = e.getKey().substring(LIMIT.length(), e.getKey().indexOf('|'));
                Score s = e.getValue();
                Score al = alloc.get(e.getKey());
                md.append(fmt(
                        "| %s | %s | %,.0f | %s | %s |%n",
                        method,
                        ns(s),
                        s.mean() / 1000,
                        base == null ? "n/a" : fmt("%.2f", s.mean() / base.mean()),
                        al == null ? "n/a" : fmt("%,.0f", al.mean())));
            }
            md.append("\n");
        }
        return md.toString();
    }

    public static void main(String[] args) throws IOException {
        Report report = new Report(Path.of(args[0]));
        String md = report.render(args.length > 2 ? args[2] : "JMH results");
        Files.writeString(Path.of(args[1]), md);
        System.out.print(md);
    }
}
