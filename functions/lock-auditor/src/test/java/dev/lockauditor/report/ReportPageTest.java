package dev.lockauditor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.alert.HostileValues;
import dev.lockauditor.api.Reports;
import dev.lockauditor.config.Environments;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The report page from history alone: sessions where history puts them, contention and stale locks told, text as text. */
class ReportPageTest {

    static final Instant FROM = Instant.parse("2025-03-14T00:00:00Z");
    static final Instant TO = FROM.plus(Duration.ofDays(1));
    static final StatePath STATE = new StatePath("acme-tfstate/env:/production/network/terraform.tfstate",
            "acme-tfstate", "env:/production/network/terraform.tfstate", "production");

    static int sequence;

    static HistoryEvent entry(StatePath state, Instant at, Source source, Facts facts) {
        String position = String.format("%08d", ++sequence);
        return new HistoryEvent(state, at, source, "event-" + position, position, "0", facts);
    }

    static Facts.Lock lock(String id, String who, Instant created) {
        return new Facts.Lock(id, "OperationTypeApply", who, "1.11.2", created, "");
    }

    /** A lock taken as lock file and lock table item, held from {@code at} for {@code seconds}, a write under it. */
    static List<HistoryEvent> session(StatePath state, String id, String who, Instant at, long seconds, Long serial) {
        Facts.Lock lock = lock(id, who, at);
        List<HistoryEvent> entries = new ArrayList<>(List.of(
                entry(state, at, Source.S3_LOCK_FILE, new Facts.LockAcquired(lock, "v-" + id)),
                entry(state, at.plusMillis(300), Source.DYNAMODB, new Facts.LockAcquired(lock, null))));
        if (serial != null) {
            entries.add(entry(state, at.plusSeconds(seconds / 2), Source.STATE_OBJECT, new Facts.StateWritten(
                    new Facts.ObjectFacts(1200L, "e", "v", "s", "123456789012", null, null),
                    new Facts.Header(4L, "1.11.2", serial, "lineage"), null)));
        }
        entries.add(entry(state, at.plusSeconds(seconds), Source.DYNAMODB, new Facts.LockReleased(lock, seconds, null)));
        entries.add(entry(state, at.plusSeconds(seconds).plusMillis(200), Source.S3_LOCK_FILE,
                new Facts.LockReleased(lock, seconds, "m-" + id)));
        return entries;
    }

    static HistoryEvent alert(StatePath state, Instant at, String type, String severity, String lockId, String summary) {
        return entry(state, at, Source.LOCK, new Facts.AlertRaised(type, severity, lockId, null, null, Map.of(), at,
                summary));
    }

    static String render(Map<String, List<HistoryEvent>> byState) {
        return Reports.page("acme-tfstate", FROM, TO, byState, Environments.only("production"));
    }

    @Test
    void eachSessionWriteAndAlertIsWhereTheHistoryPutsItAndContentionAndStaleLocksAreTold() {
        List<HistoryEvent> history = new ArrayList<>();
        history.addAll(session(STATE, "9f3c2a4e-0001", "ci@runner-7f9c", FROM.plus(Duration.ofHours(14)), 300, 41L));
        // alice takes the lock 10 s after ci let go: she waited for it
        history.addAll(session(STATE, "9f3c2a4e-0002", "alice@laptop", FROM.plus(Duration.ofHours(14)).plusSeconds(310),
                120, 42L));
        Facts.Lock stuck = lock("9f3c2a4e-0003", "ci@runner-dead", FROM.plus(Duration.ofHours(16)));
        history.add(entry(STATE, stuck.created(), Source.S3_LOCK_FILE, new Facts.LockAcquired(stuck, "v-3")));
        history.add(alert(STATE, FROM.plus(Duration.ofHours(17)), "STALE_LOCK", "WARNING", stuck.id(),
                "Stale lock held for 1h"));

        String page = render(Map.of(STATE.path(), history));

        assertTrue(page.startsWith("<!DOCTYPE html>"));
        List<String> rows = rows(page);
        assertEquals(3, rows.size(), "one row a session, both kinds of one lock together: " + rows);
        assertTrue(rows.get(2).contains("ci@runner-7f9c") && rows.get(2).contains("2025-03-14 14:00:00 UTC")
                && rows.get(2).contains("2025-03-14 14:05:00 UTC") && rows.get(2).contains("5m")
                && rows.get(2).contains("lock file and lock table"), rows.get(2));
        assertTrue(rows.get(1).contains("alice@laptop") && rows.get(1).contains("waited for another holder"), rows.get(1));
        assertTrue(rows.get(2).contains("the next holder waited"), "ci's lock kept alice waiting: " + rows.get(2));
        assertTrue(rows.get(0).contains("held now") && rows.get(0).contains("stale"), rows.get(0));
        assertTrue(page.contains("<title>serial 41, 2025-03-14 14:02:30 UTC</title>"), "a write's tick with its serial");
        assertTrue(page.contains("STALE_LOCK: Stale lock held for 1h</title>"), "an alert's marker");
        assertTrue(page.contains("<h3>Held now</h3><table>"), "the lock held now is listed on top");
    }

    @Test
    void aStaleLockThatKeptTheNextHolderWaitingIsToldAsBlocking() {
        List<HistoryEvent> history = new ArrayList<>(session(STATE, "9f3c2a4e-0010", "ci@runner-killed",
                FROM.plus(Duration.ofHours(2)), 7200, null));
        history.add(alert(STATE, FROM.plus(Duration.ofHours(3)), "STALE_LOCK", "WARNING", "9f3c2a4e-0010", "Stale"));
        history.addAll(session(STATE, "9f3c2a4e-0011", "bob@laptop", FROM.plus(Duration.ofHours(4)).plusSeconds(5), 60,
                1L));

        List<String> rows = rows(render(Map.of(STATE.path(), history)));

        assertTrue(rows.get(1).contains("stale") && rows.get(1).contains("blocked the next holder"), rows.get(1));
        assertTrue(rows.get(0).contains("waited for another holder"), rows.get(0));
    }

    @ParameterizedTest
    @MethodSource("dev.lockauditor.alert.HostileValues#all")
    void whatTheBackendHoldsIsShownAsTextAndThePageLoadsNothing(HostileValues hostile) {
        String key = "env:/production/" + hostile.asKeyPart() + "/terraform.tfstate";
        StatePath state = new StatePath("acme-tfstate/" + key, "acme-tfstate", key, "production");
        List<HistoryEvent> history = new ArrayList<>(session(state, hostile.value(), hostile.value(),
                FROM.plus(Duration.ofHours(3)), 60, 7L));
        history.add(alert(state, FROM.plus(Duration.ofHours(4)), "UNLOCKED_WRITE", "HIGH", null,
                "Unlocked write by " + hostile.value()));

        String page = render(Map.of(state.path(), history));

        String markup = page.replaceAll("(?s)<style>.*?</style>", "");
        assertFalse(Pattern.compile("<(?!(!DOCTYPE html>)|/?(html|head|meta|title|style|body|h1|h2|h3|p|div|table|tr|th|td|a|b|span|section|svg|line|text|rect|path|circle)[ >])")
                .matcher(markup).find(), "no element but the page's own");
        assertFalse(markup.contains("<script") || Pattern.compile("\\son\\w+=\"").matcher(markup).find()
                || markup.contains("href=\"javascript"), "no script, no event handler");
        assertFalse(Pattern.compile("(src|href)=\"(?!#)").matcher(markup).find(), "nothing loaded, links inside only");
        assertFalse(markup.chars().anyMatch(c -> c < 0x20 && c != '\n') || markup.contains("\u202e"),
                "no control reaches the page");
        assertTrue(markup.contains(Html.text(hostile.value()).substring(0, Math.min(40,
                Html.text(hostile.value()).length()))), "shown, as text");
    }

    @Test
    void fiveHundredStatesOverNinetyDaysRenderAsOnePageOfUnderTwoMebibytes() {
        Map<String, List<HistoryEvent>> byState = new LinkedHashMap<>();
        Instant from = TO.minus(Duration.ofDays(90));
        for (int s = 0; s < 500; s++) {
            String key = "env:/team-" + (s % 20) + "/stack-" + s + "/terraform.tfstate";
            StatePath state = new StatePath("acme-tfstate/" + key, "acme-tfstate", key, "team-" + (s % 20));
            List<HistoryEvent> history = new ArrayList<>();
            // 200 applies a day across the backend: 36 per state over 90 days
            for (int apply = 0; apply < 36; apply++) {
                history.addAll(session(state, "lock-" + s + "-" + apply, "ci@runner-" + (apply % 5),
                        from.plus(Duration.ofHours(60L * apply + s % 24)), 240, (long) apply));
            }
            byState.put(state.path(), history);
        }

        String page = Reports.page("acme-tfstate", from, TO, byState, Environments.only("default"));

        assertTrue(page.length() < 2 * 1024 * 1024, "bytes: " + page.length());
        assertEquals(500, Pattern.compile("<section id=").matcher(page).results().count());
    }

    static List<String> rows(String page) {
        List<String> rows = new ArrayList<>();
        Matcher row = Pattern.compile("<tr data-lock-id=.*?</tr>").matcher(page);
        while (row.find()) {
            rows.add(row.group());
        }
        return rows;
    }
}
