package dev.lockauditor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockauditor.config.Environments;
import dev.lockauditor.history.Facts;
import dev.lockauditor.history.HistoryEvent;
import dev.lockauditor.history.Source;
import dev.lockauditor.terraform.StatePath;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard's custom widget, handed CloudWatch's documented request as the runtime hands it over. */
class DashboardWidgetHandlerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final StatePath STATE = new StatePath("acme-tfstate/env:/production/network/terraform.tfstate",
            "acme-tfstate", "env:/production/network/terraform.tfstate", "production");

    final List<Instant> readSince = new ArrayList<>();

    DashboardWidgetHandler widget() {
        Instant at = Instant.parse("2025-03-14T10:00:00Z");  // inside the sample's zoom, 09:00 to 14:00
        Facts.Lock lock = new Facts.Lock("9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382", "OperationTypeApply", "ci@runner-7f9c",
                "1.11.2", at, "");
        List<HistoryEvent> history = List.of(
                new HistoryEvent(STATE, at, Source.S3_LOCK_FILE, "e1", "1", "0", new Facts.LockAcquired(lock, "v1")),
                new HistoryEvent(STATE, at.plusSeconds(300), Source.S3_LOCK_FILE, "e2", "2", "0",
                        new Facts.LockReleased(lock, 300L, "m1")));
        return new DashboardWidgetHandler(since -> {
            readSince.add(since);
            return Map.of(STATE.path(), history);
        }, "acme-tfstate", Environments.only("production"), Clock.fixed(Instant.parse("2025-03-15T00:00:00Z"),
                ZoneOffset.UTC));
    }

    JsonNode invoke(String sample) throws Exception {
        byte[] event = DashboardWidgetHandlerTest.class.getResourceAsStream("/events/" + sample).readAllBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        widget().handleRequest(new ByteArrayInputStream(event), out, new TestContext());
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void itAnswersTheDashboardsZoomedTimeRangeWithTheReportAsHtml() throws Exception {
        JsonNode answer = invoke("dashboard-widget.json");

        assertTrue(answer.isTextual(), "a string of HTML, as a custom widget answers");
        String html = answer.asText();
        assertEquals(List.of(Instant.ofEpochMilli(1741942800000L)), readSince, "the zoom's start, not the range's");
        assertTrue(html.startsWith("<div class=\"cwdb-no-default-styles\"></div><style>"), html.substring(0, 80));
        assertTrue(html.contains("2025-03-14 09:00:00 UTC to 2025-03-14 14:00:00 UTC"), "the zoomed window");
        assertTrue(html.contains("data-lock-id=\"9f3c2a4e-6b1d-8e07-52a9-c4d1e0f7b382\""), "the session");
        assertFalse(html.contains("<html") || html.contains("<script"), "a fragment, no script");
    }

    @Test
    void askedToDescribeItselfItSaysWhatItShows() throws Exception {
        JsonNode answer = invoke("dashboard-widget-describe.json");

        assertEquals(DashboardWidgetHandler.DESCRIPTION, answer.asText());
        assertEquals(List.of(), readSince, "nothing read");
    }
}
