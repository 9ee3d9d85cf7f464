package dev.lockauditor.report;

import dev.lockauditor.alert.Alerts;
import dev.lockauditor.alert.PlainText;
import dev.lockauditor.config.Environments;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script, nothing loaded from anywhere, readable
 * in light and dark, in a narrow window and printed. First the backend over the window (states by environment, lock
 * hours, the locks held now, the busiest holders, alerts by type), then each state's timeline: its lock sessions as
 * bars by holder, its writes as ticks with their serial, its alerts as markers, with the same in a table. Every value
 * from the backend goes through {@link Html#text}; nothing of a state's contents is in history, so none is here.
 */
public final class ReportPage {

    /** The most sessions a state's table lists (its timeline draws them all). */
    static final int SESSIONS_LISTED = 50;
    /**
     * Beyond this many sessions on one page, each state's timeline draws a lane's sessions as one shape (the lane's
     * totals on hover) and its table lists the latest {@link #SESSIONS_LISTED_COMPACT}, so that the page stays small
     * enough to open; a state's own report ({@code --state}) shows every session in full.
     */
    static final int DETAILED_UP_TO = 2_000;
    static final int SESSIONS_LISTED_COMPACT = 3;
    /** The most characters of an alert's summary the page shows (a summary names keys and holders). */
    static final int SUMMARY_SHOWN = 600;
    /** The most holders a timeline gives a lane of their own; the rest share one. */
    static final int LANES = 8;

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TICK = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final double WIDTH = 1000;
    private static final double LANE = 18;
    private static final double LABEL = 170;
    private static final double PLOT = WIDTH - LABEL - 10;
    private static final double TOP = 22;

    private static final String STYLE = """
            .lock-auditor{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--grid:#d1d9e0;--file:#0969da;\
            --table:#8250df;--both:#1a7f37;--critical:#cf222e;--high:#bc4c00;--warning:#9a6700;--info:#0969da}
            @media (prefers-color-scheme:dark){.lock-auditor{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--grid:#3d444d;\
            --file:#4493f8;--table:#ab7df8;--both:#3fb950;--critical:#f85149;--high:#db6d28;--warning:#d29922;\
            --info:#4493f8}}
            body{margin:0}.lock-auditor{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;\
            margin:0 auto;padding:1rem;max-width:1200px;color:var(--fg);background:var(--bg)}
            h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;overflow-wrap:anywhere}h3{font-size:1rem}
            a{color:var(--file)}.muted{color:var(--muted)}
            table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
            th,td{padding:3px 8px;border-bottom:1px solid var(--grid);text-align:left;vertical-align:top;\
            overflow-wrap:break-word;word-break:break-word}
            .grid>div,section{min-width:0;overflow-x:auto}
            th{font-weight:600}td.n{text-align:right;white-space:nowrap}
            .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:0 2rem}
            svg{width:100%;height:auto;display:block;font-size:11px}
            svg text{fill:var(--muted)}svg line.axis{stroke:var(--grid)}
            .bar{stroke-width:1.5}.file{fill:var(--file)}.table{fill:var(--table)}.both{fill:var(--both)}
            .bar.stale{stroke:var(--critical);stroke-width:3}.bar.acknowledged{stroke:var(--fg);stroke-dasharray:3 2}
            .held{fill-opacity:.55}.write{stroke:var(--fg)}.deletion{stroke:var(--critical);stroke-width:2}
            .waited{fill:var(--warning)}
            .CRITICAL{fill:var(--critical);color:var(--critical)}.HIGH{fill:var(--high);color:var(--high)}
            .WARNING{fill:var(--warning);color:var(--warning)}.INFO{fill:var(--info);color:var(--info)}
            .key span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em;vertical-align:-1px}
            .key .file{background:var(--file)}.key .table{background:var(--table)}.key .both{background:var(--both)}\
            .key .waited{background:var(--warning)}
            @media (max-width:640px){.lock-auditor{padding:.4rem}th,td{padding:2px 4px}}
            @media print{.lock-auditor{max-width:none;color:#000;background:#fff}section{break-inside:avoid}\
            a{color:inherit}}
            """;

    private ReportPage() {
    }

    /**
     * @param title what the page is about (the backends' buckets, or a state)
     * @param from  the window's start
     * @param to    its end (now, for a live report)
     */
    public static String render(String title, Instant from, Instant to, List<StateReport> states) {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("style-src 'unsafe-inline'\">")
                .append("<title>").append(Html.text("Terraform state locks: " + title)).append("</title><style>")
                .append(STYLE).append("</style></head><body>");
        content(html, title, from, to, states);
        return html.append("</body></html>\n").toString();
    }

    /**
     * The same report as a fragment for a CloudWatch dashboard's custom widget: the dashboard's default styles off
     * ({@code cwdb-no-default-styles}), the report's own scoped to it.
     */
    public static String fragment(String title, Instant from, Instant to, List<StateReport> states) {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<div class=\"cwdb-no-default-styles\"></div><style>").append(STYLE).append("</style>");
        content(html, title, from, to, states);
        return html.toString();
    }

    /**
     * Every state's report from its history, oldest first, within the window: a backend's own notices (a backfill's
     * end, kept under its bucket's name) are not a state's.
     */
    public static List<StateReport> states(Map<String, List<HistoryEvent>> byState, Instant to,
                                           Environments environments) {
        List<StateReport> states = new ArrayList<>();
        for (List<HistoryEvent> entries : byState.values()) {
            List<HistoryEvent> within = entries.stream().filter(e -> !e.at().isAfter(to)).toList();
            if (!within.isEmpty() && !within.get(0).state().key().isEmpty()) {
                StatePath state = within.get(0).state();
                states.add(StateReport.of(state, environments.of(state), within));
            }
        }
        return states;
    }

    private static void content(StringBuilder html, String title, Instant from, Instant to, List<StateReport> states) {
        html.append("<div class=\"lock-auditor\"><h1>Terraform state locks: ").append(Html.text(title))
                .append("</h1><p class=\"muted\">").append(WHEN.format(from)).append(" to ").append(WHEN.format(to))
                .append(". From the auditor's history: who held each lock, when and for how long, each write and each ")
                .append("alert; never a state's contents.</p>");
        List<StateReport> ordered = new ArrayList<>(states);
        ordered.sort(Comparator.comparing(StateReport::environment).thenComparing(s -> s.state().path()));
        Map<StateReport, String> anchors = new LinkedHashMap<>();
        for (int i = 0; i < ordered.size(); i++) {
            anchors.put(ordered.get(i), "state-" + (i + 1));
        }
        backend(html, ordered, anchors, to);
        boolean detailed = ordered.stream().mapToLong(s -> s.sessions().size()).sum() <= DETAILED_UP_TO;
        html.append("<p class=\"key muted\"><span class=\"file\"></span>lock file<span class=\"table\"></span>")
                .append("lock table<span class=\"both\"></span>both<span class=\"waited\"></span>taken right after ")
                .append("another holder's release").append(detailed ? "" : "; with this many sessions a lane's are "
                        + "one shape: bin/lock-auditor report --state STATE_PATH shows each").append("</p>");
        for (StateReport state : ordered) {
            state(html, state, anchors.get(state), from, to, detailed);
        }
        html.append("</div>");
    }

    private static void backend(StringBuilder html, List<StateReport> states, Map<StateReport, String> anchors,
                                Instant now) {
        long sessions = states.stream().mapToLong(s -> s.sessions().size()).sum();
        long writes = states.stream().mapToLong(s -> s.writes().size()).sum();
        long alerts = states.stream().mapToLong(ReportPage::raised).sum();
        long seconds = states.stream().flatMap(s -> s.sessions().stream()).mapToLong(s -> s.seconds(now)).sum();
        html.append("<p>").append(states.size()).append(states.size() == 1 ? " state, " : " states, ")
                .append(sessions).append(" lock sessions (").append(hours(seconds)).append(" lock hours), ")
                .append(writes).append(" writes, ").append(alerts).append(alerts == 1 ? " alert" : " alerts")
                .append(".</p><div class=\"grid\"><div>");

        html.append("<h3>States by environment</h3><table><tr><th>environment</th><th>state</th>")
                .append("<th>sessions</th><th>lock hours</th><th>alerts</th></tr>");
        for (StateReport state : states) {
            html.append("<tr><td>").append(Html.text(state.environment())).append("</td><td><a href=\"#")
                    .append(anchors.get(state)).append("\">").append(Html.text(state.state().key()))
                    .append("</a></td><td class=\"n\">").append(state.sessions().size()).append("</td><td class=\"n\">")
                    .append(hours(state.sessions().stream().mapToLong(s -> s.seconds(now)).sum()))
                    .append("</td><td class=\"n\">").append(raised(state)).append("</td></tr>");
        }
        html.append("</table></div><div><h3>Held now</h3>");

        List<Map.Entry<StateReport, StateReport.Session>> held = new ArrayList<>();
        states.forEach(state -> state.sessions().stream().filter(s -> s.end() == null)
                .forEach(s -> held.add(Map.entry(state, s))));
        held.sort(Comparator.comparing(e -> e.getValue().start()));
        if (held.isEmpty()) {
            html.append("<p class=\"muted\">No lock is held.</p>");
        } else {
            html.append("<table><tr><th>state</th><th>held by</th><th>operation</th><th>for</th><th></th></tr>");
            for (Map.Entry<StateReport, StateReport.Session> entry : held) {
                StateReport.Session session = entry.getValue();
                html.append("<tr><td><a href=\"#").append(anchors.get(entry.getKey())).append("\">")
                        .append(Html.text(entry.getKey().state().key())).append("</a></td><td>")
                        .append(Html.cell(session.who())).append("</td><td>").append(Html.cell(session.operation()))
                        .append("</td><td class=\"n\">").append(Alerts.duration(session.seconds(now)))
                        .append("</td><td class=\"n\">").append(notes(session)).append("</td></tr>");
            }
            html.append("</table>");
        }

        html.append("<h3>Busiest holders</h3><table><tr><th>holder</th><th>sessions</th><th>lock hours</th></tr>");
        Map<String, long[]> holders = new TreeMap<>();
        states.forEach(state -> state.sessions().forEach(s -> {
            long[] counts = holders.computeIfAbsent(s.who(), who -> new long[2]);
            counts[0]++;
            counts[1] += s.seconds(now);
        }));
        holders.entrySet().stream().sorted(Comparator.comparing(e -> -e.getValue()[1])).limit(10)
                .forEach(e -> html.append("<tr><td>").append(Html.cell(e.getKey())).append("</td><td class=\"n\">")
                        .append(e.getValue()[0]).append("</td><td class=\"n\">").append(hours(e.getValue()[1]))
                        .append("</td></tr>"));
        html.append("</table><h3>Alerts by type</h3>");

        Map<String, long[]> types = new TreeMap<>();
        Map<String, String> severities = new TreeMap<>();
        states.forEach(state -> state.alerts().forEach(a -> {
            types.computeIfAbsent(a.type(), t -> new long[2])[a.past() ? 1 : 0]++;
            severities.put(a.type(), a.severity());
        }));
        if (types.isEmpty()) {
            html.append("<p class=\"muted\">No alert.</p>");
        } else {
            html.append("<table><tr><th>alert</th><th>severity</th><th>raised</th><th>past findings</th></tr>");
            types.forEach((type, counts) -> html.append("<tr><td>").append(Html.text(type)).append("</td><td class=\"")
                    .append(severity(severities.get(type))).append("\">").append(Html.text(severities.get(type)))
                    .append("</td><td class=\"n\">").append(counts[0]).append("</td><td class=\"n\">")
                    .append(counts[1]).append("</td></tr>"));
            html.append("</table>");
        }
        html.append("</div></div>");
    }

    private static long raised(StateReport state) {
        return state.alerts().stream().filter(a -> !a.past()).count();
    }

    private static void state(StringBuilder html, StateReport state, String anchor, Instant from, Instant to,
                              boolean detailed) {
        html.append("<section id=\"").append(anchor).append("\"><h2>").append(Html.text(state.state().path()))
                .append("</h2><p class=\"muted\">environment ").append(Html.text(state.environment()))
                .append(", workspace ").append(Html.text(state.state().workspace())).append("</p>");
        timeline(html, state, from, to, detailed);
        int listed = detailed ? SESSIONS_LISTED : SESSIONS_LISTED_COMPACT;
        List<StateReport.Session> latest = new ArrayList<>(state.sessions());
        latest.sort(Comparator.comparing(StateReport.Session::start).reversed());
        if (latest.isEmpty()) {
            html.append("<p class=\"muted\">No lock session in this window.</p>");
        } else {
            html.append("<table class=\"sessions\"><tr><th>held by</th><th>operation</th><th>lock ID</th>")
                    .append("<th>from</th><th>to</th><th>for</th><th>kind</th><th></th></tr>");
            for (StateReport.Session session : latest.subList(0, Math.min(listed, latest.size()))) {
                html.append("<tr data-lock-id=\"").append(Html.cell(session.lockId())).append("\"><td>")
                        .append(Html.cell(session.who())).append("</td><td>").append(Html.cell(session.operation()))
                        .append("</td><td>").append(Html.cell(session.lockId())).append("</td><td>")
                        .append(WHEN.format(session.start())).append("</td><td>")
                        .append(session.end() == null ? "held now" : WHEN.format(session.end()))
                        .append("</td><td class=\"n\">").append(Alerts.duration(session.seconds(to)))
                        .append("</td><td>").append(String.join(" and ", session.kinds())).append("</td><td>")
                        .append(notes(session)).append("</td></tr>");
            }
            html.append("</table>");
            if (latest.size() > listed) {
                html.append("<p class=\"muted\">The latest ").append(listed).append(" of ").append(latest.size())
                        .append(" sessions; the timeline draws them all.</p>");
            }
        }
        if (!state.alerts().isEmpty()) {
            html.append("<table class=\"alerts\"><tr><th>when</th><th>alert</th><th>summary</th></tr>");
            for (StateReport.Mark alert : state.alerts()) {
                html.append("<tr><td>").append(WHEN.format(alert.at())).append("</td><td class=\"")
                        .append(severity(alert.severity())).append("\">").append(Html.text(alert.type()))
                        .append(alert.past() ? " (past finding)" : "").append("</td><td>")
                        .append(Html.text(PlainText.cut(alert.summary(), SUMMARY_SHOWN))).append("</td></tr>");
            }
            html.append("</table>");
        }
        html.append("</section>");
    }

    /** Lanes by holder (the busiest first), a bar a session, a tick a write, a marker an alert. */
    private static void timeline(StringBuilder html, StateReport state, Instant from, Instant to, boolean detailed) {
        Map<String, Long> byHolder = new LinkedHashMap<>();
        state.sessions().forEach(s -> byHolder.merge(s.who(), s.seconds(to), Long::sum));
        List<String> lanes = byHolder.entrySet().stream().sorted(Map.Entry.comparingByValue(Comparator.reverseOrder()))
                .map(Map.Entry::getKey).limit(LANES).toList();
        int laneCount = lanes.size() + (byHolder.size() > LANES ? 1 : 0);
        double height = TOP + laneCount * LANE + 28;
        Scale scale = new Scale(from, Math.max(1, Duration.between(from, to).getSeconds()));
        html.append("<svg viewBox=\"0 0 ").append((int) WIDTH).append(' ').append((int) height)
                .append("\" role=\"img\" aria-label=\"lock sessions, writes and alerts of ")
                .append(Html.text(state.state().path())).append("\">");
        for (int tick = 0; tick <= 2; tick++) {
            double x = LABEL + PLOT * tick / 2;
            html.append("<line class=\"axis\" x1=\"").append(f(x)).append("\" y1=\"").append(f(TOP - 4))
                    .append("\" x2=\"").append(f(x)).append("\" y2=\"").append(f(height - 14)).append("\"/><text x=\"")
                    .append(f(x)).append("\" y=\"").append(f(height - 2)).append("\" text-anchor=\"")
                    .append(tick == 0 ? "start" : tick == 2 ? "end" : "middle").append("\">")
                    .append(TICK.format(from.plusSeconds((long) (scale.seconds() * tick / 2)))).append("</text>");
        }
        for (int lane = 0; lane < laneCount; lane++) {
            String name = lane < lanes.size() ? lanes.get(lane) : "others";
            html.append("<text x=\"0\" y=\"").append(f(TOP + lane * LANE + 12)).append("\">")
                    .append(Html.text(name.length() > 28 ? name.substring(0, 27) + "…" : name)).append("</text>");
        }
        if (detailed) {
            state.sessions().forEach(session -> bar(html, session, lane(lanes, session), scale, to));
        } else {
            for (int lane = 0; lane < laneCount; lane++) {
                compactLane(html, state, lanes, lane, scale, to);
            }
        }
        writes(html, state, TOP + laneCount * LANE + 2, scale, detailed);
        for (StateReport.Mark alert : state.alerts()) {
            html.append("<circle class=\"").append(severity(alert.severity())).append("\" cx=\"")
                    .append(f(scale.x(alert.at()))).append("\" cy=\"").append(f(TOP - 10)).append("\" r=\"5\"><title>")
                    .append(Html.cell(alert.type() + (alert.past() ? " (past finding)" : "") + ": " + alert.summary()))
                    .append("</title></circle>");
        }
        html.append("</svg>");
    }

    /** Where a time falls on a timeline. */
    private record Scale(Instant from, double seconds) {
        double x(Instant at) {
            return LABEL + PLOT * Math.max(0, Math.min(1, Duration.between(from, at).getSeconds() / seconds));
        }
    }

    private static int lane(List<String> lanes, StateReport.Session session) {
        int lane = lanes.indexOf(session.who());
        return lane < 0 ? lanes.size() : lane;
    }

    /** One session as a bar, with who, what, its lock ID and how long on hover. */
    private static void bar(StringBuilder html, StateReport.Session session, int lane, Scale scale, Instant to) {
        double x = scale.x(session.start());
        double end = scale.x(session.end() == null ? to : session.end());
        html.append("<rect class=\"bar ").append(kind(session)).append(session.end() == null ? " held" : "")
                .append(session.stale() ? " stale" : "").append(session.acknowledged() ? " acknowledged" : "")
                .append("\" x=\"").append(f(x)).append("\" y=\"").append(f(TOP + lane * LANE + 3))
                .append("\" width=\"").append(f(Math.max(1.5, end - x))).append("\" height=\"").append(f(LANE - 6))
                .append("\"><title>").append(Html.cell(session.who())).append(", ").append(Html.cell(session.operation())).append(", lock ")
                .append(Html.cell(session.lockId())).append(", ").append(Alerts.duration(session.seconds(to)))
                .append(session.end() == null ? ", held now" : "").append("</title></rect>");
        if (session.waited()) {
            html.append("<path class=\"waited\" d=\"M").append(f(x)).append(' ').append(f(TOP + lane * LANE + 1))
                    .append("l-4 -4h8z\"><title>taken right after another holder's release</title></path>");
        }
    }

    /**
     * A lane's ended sessions as one shape per kind, its totals on hover; a session held now, stale or acknowledged
     * is still a bar of its own.
     */
    private static void compactLane(StringBuilder html, StateReport state, List<String> lanes, int lane, Scale scale,
                                    Instant to) {
        Map<String, StringBuilder> shapes = new TreeMap<>();
        long sessions = 0;
        long seconds = 0;
        for (StateReport.Session session : state.sessions()) {
            if (lane(lanes, session) != lane) {
                continue;
            }
            if (session.end() == null || session.stale() || session.acknowledged()) {
                bar(html, session, lane, scale, to);
                continue;
            }
            sessions++;
            seconds += session.seconds(to);
            double x = scale.x(session.start());
            double width = Math.max(1.5, scale.x(session.end()) - x);
            // Whole units: at this many sessions a tenth of a unit is not seen, and the page stays small.
            long w = Math.max(1, Math.round(width));
            shapes.computeIfAbsent(kind(session), k -> new StringBuilder()).append('M').append(Math.round(x))
                    .append(' ').append(Math.round(TOP + lane * LANE + 3)).append('h').append(w).append("v12h-")
                    .append(w).append('z');
        }
        String holder = lane < lanes.size() ? lanes.get(lane) : "others";
        for (Map.Entry<String, StringBuilder> shape : shapes.entrySet()) {
            html.append("<path class=\"bar ").append(shape.getKey()).append("\" d=\"").append(shape.getValue())
                    .append("\"><title>").append(Html.text(holder)).append(": ").append(sessions)
                    .append(" sessions, ").append(Alerts.duration(seconds)).append(" in all</title></path>");
        }
    }

    /** Each write a tick with its serial on hover; with many sessions, one shape with the serials' range. */
    private static void writes(StringBuilder html, StateReport state, double y, Scale scale, boolean detailed) {
        if (detailed) {
            for (StateReport.Write write : state.writes()) {
                double x = scale.x(write.at());
                html.append("<line class=\"").append(write.deletion() ? "deletion" : "write").append("\" x1=\"")
                        .append(f(x)).append("\" y1=\"").append(f(y)).append("\" x2=\"").append(f(x))
                        .append("\" y2=\"").append(f(y + 8)).append("\"><title>").append(write.deletion() ? "deleted"
                                : write.serial() == null ? "written" : "serial " + write.serial())
                        .append(write.reconstructed() ? " (from the bucket's versions)" : "").append(", ")
                        .append(WHEN.format(write.at())).append("</title></line>");
            }
            return;
        }
        if (state.writes().isEmpty()) {
            return;
        }
        StringBuilder path = new StringBuilder();
        for (StateReport.Write write : state.writes()) {
            path.append('M').append(Math.round(scale.x(write.at()))).append(' ').append(Math.round(y)).append("v8");
        }
        long deletions = state.writes().stream().filter(StateReport.Write::deletion).count();
        var serials = state.writes().stream().map(StateReport.Write::serial).filter(Objects::nonNull)
                .mapToLong(Long::longValue).summaryStatistics();
        html.append("<path class=\"write\" d=\"").append(path).append("\"><title>")
                .append(state.writes().size() - deletions).append(" writes")
                .append(deletions == 0 ? "" : ", " + deletions + " deletions")
                .append(serials.getCount() == 0 ? "" : ", serials " + serials.getMin() + " to " + serials.getMax())
                .append("</title></path>");
    }

    private static String kind(StateReport.Session session) {
        return session.kinds().size() > 1 ? "both" : session.kinds().contains("lock table") ? "table" : "file";
    }

    private static String notes(StateReport.Session session) {
        List<String> notes = new ArrayList<>();
        if (session.stale()) {
            notes.add("<b class=\"CRITICAL\">stale</b>");
        }
        if (session.acknowledged()) {
            notes.add("acknowledged");
        }
        if (session.waited()) {
            notes.add("waited for another holder");
        }
        if (session.blocked()) {
            notes.add(session.stale() ? "<b class=\"CRITICAL\">blocked the next holder</b>" : "the next holder waited");
        }
        return String.join(", ", notes);
    }

    /** A severity as a class name: one of the four, never a value from elsewhere. */
    private static String severity(String severity) {
        return switch (severity == null ? "" : severity) {
            case "CRITICAL", "HIGH", "WARNING" -> severity;
            default -> "INFO";
        };
    }

    private static String f(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String hours(long seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds / 3600.0);
    }
}
