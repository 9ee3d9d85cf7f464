package dev.lockauditor.cli;

import dev.lockauditor.runtime.SamTemplate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** template.yaml read as bin/lock-auditor invoke reads it, and the sample events beside it. */
class TemplateTest {

    static final Path TEMPLATE = Path.of("..", "template.yaml");
    static final Path EVENTS = Path.of("..", "events");

    final SamTemplate template = SamTemplate.load(TEMPLATE);

    @Test
    void everyFunctionsHandlerIsAHandlerClassOfItsPackage() throws Exception {
        assertEquals(Set.of("LockEventsFunction", "StateEventsFunction", "StaleLockSweepFunction", "SlackNotifierFunction",
                        "DashboardWidgetFunction"),
                template.functionNames());
        for (String name : template.functionNames()) {
            SamTemplate.Function function = template.function(name, Map.of());
            assertEquals("functions/lock-auditor", function.codeUri(), name);
            assertTrue(function.handler().endsWith("::handleRequest"), function.handler());
            Class<?> handler = Class.forName(function.handler().substring(0, function.handler().indexOf("::")));
            assertTrue(RequestHandler.class.isAssignableFrom(handler) || RequestStreamHandler.class.isAssignableFrom(handler),
                    name + " is not a Lambda handler");
        }
    }

    @Test
    void aFunctionsEnvironmentIsTheGlobalsAndItsOwnWithRefsResolved() {
        SamTemplate.Function slack = template.function("SlackNotifierFunction",
                Map.of("SlackWebhookSecretArn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack",
                        "LockHistoryTable", "history-table"));

        assertEquals("arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack",
                slack.environment().get("SLACK_WEBHOOK_SECRET_ARN"));
        assertEquals("INFO", slack.environment().get("SLACK_MIN_SEVERITY"), "a parameter's default");
        assertEquals("history-table", slack.environment().get("HISTORY_TABLE"), "a resource's name, as given");
        assertEquals("", slack.environment().get("ALERT_TOPIC_ARN"), "a resource not given");
        assertEquals("", slack.environment().get("ENVIRONMENTS"));
        assertEquals("env:", slack.environment().get("WORKSPACE_KEY_PREFIX"));
        assertEquals("JSON", slack.logFormat());
        assertTrue(slack.snapStart());
        assertEquals(512, slack.memoryMb());
        assertEquals("java25", slack.runtime());
    }

    @Test
    void everySampleEventIsJsonAndSaysWhereItsShapeComesFrom() throws Exception {
        String readme = Files.readString(EVENTS.resolve("README.md"));
        Set<String> files = new TreeSet<>();
        try (var list = Files.list(EVENTS)) {
            list.map(p -> p.getFileName().toString()).filter(n -> !n.equals("README.md")).forEach(files::add);
        }
        for (String file : files) {
            assertTrue(file.endsWith(".json"), file + " is not a JSON event");
            new ObjectMapper().readTree(EVENTS.resolve(file).toFile());
            assertTrue(readme.contains("`" + file + "`"), file + " is not in events/README.md");
        }
        for (String named : List.of(readme.split("`"))) {
            if (named.endsWith(".json") && !named.contains(" ")) {
                assertTrue(files.contains(named), "events/README.md names " + named + ", which is not there");
            }
        }
    }

    @Test
    void aStackGivenAnExistingAlertTopicCreatesNoneAndPublishesThere() {
        String central = "arn:aws:sns:eu-west-1:210987654321:terraform-alerts";
        Map<String, String> existing = Map.of("ExistingAlertTopicArn", central, "AlertTopic", "created-topic");

        Set<String> created = template.resourcesCreated(existing);
        assertTrue(created.contains("StateEventsFunction") && created.contains("LockHistoryTable"), created.toString());
        assertTrue(!created.contains("AlertTopic") && !created.contains("AlertTopicKey"), created.toString());
        for (String name : template.functionNames()) {
            assertEquals(central, template.function(name, existing).environment().get("ALERT_TOPIC_ARN"), name);
        }

        Set<String> own = template.resourcesCreated(Map.of());
        assertTrue(own.contains("AlertTopic") && own.contains("AlertTopicKey"), own.toString());
        assertEquals("created-topic", template.function("StateEventsFunction", Map.of("AlertTopic", "created-topic"))
                .environment().get("ALERT_TOPIC_ARN"));
    }

    /** The dashboard is the one thing CloudWatchDashboard=none takes away: the widget's function goes with it. */
    @Test
    void withoutTheDashboardOnlyTheDashboardAndItsWidgetFunctionAreLeftOut() {
        Set<String> with = template.resourcesCreated(Map.of());
        Set<String> without = template.resourcesCreated(Map.of("CloudWatchDashboard", "none"));

        Set<String> left = new java.util.TreeSet<>(with);
        left.removeAll(without);
        assertEquals(Set.of("Dashboard", "DashboardWidgetFunction", "DashboardWidgetLogGroup", "DashboardWidgetRole"),
                left);
        assertTrue(with.containsAll(without));
        assertEquals(template.resourcesCreated("AWS::CloudWatch::Alarm", Map.of()),
                template.resourcesCreated("AWS::CloudWatch::Alarm", Map.of("CloudWatchDashboard", "none")));
    }

    @Test
    void everyParameterSamconfigSetsIsATemplateParameter() throws Exception {
        String samconfig = Files.readString(Path.of("..", "samconfig.toml"));
        Set<String> parameters = template.parameterNames();
        java.util.regex.Matcher override = java.util.regex.Pattern.compile("\"([A-Za-z]+)=").matcher(samconfig);
        int count = 0;
        while (override.find()) {
            assertTrue(parameters.contains(override.group(1)), override.group(1) + " is not a template parameter");
            count++;
        }
        assertTrue(count > 10, "samconfig.toml sets parameters: " + count);
        assertTrue(samconfig.contains("[admin.deploy.parameters]") && samconfig.contains("ExistingAlertTopicArn="),
                "both layouts");
        String staging = samconfig.substring(samconfig.indexOf("[staging.deploy.parameters]"),
                samconfig.indexOf("[production.deploy.parameters]"));
        assertTrue(staging.contains("StateBucketName=") && !staging.contains("LockTable"),
                "a stack on lock files alone names no lock table: " + staging);
        String production = samconfig.substring(samconfig.indexOf("[production.deploy.parameters]"));
        assertTrue(production.contains("LockTableName=") && production.contains("LockTableStreamArn="), production);
    }

    @Test
    void callerEnrichmentIsOffByDefaultAndAddsOnlyATrailAndRulesNeverAPermissionOnTheBackend() {
        Set<String> off = template.resourcesCreated(LOCK_TABLE);
        Set<String> existing = template.resourcesCreated(with(LOCK_TABLE, "CallerEnrichment", "existing-trail"));
        Set<String> created = template.resourcesCreated(with(LOCK_TABLE, "CallerEnrichment", "create-trail"));

        assertTrue(off.stream().noneMatch(name -> name.startsWith("Caller")), "off: nothing extra deployed: " + off);
        assertEquals(Set.of("CallerS3EventsRule", "CallerDynamoDbEventsRule"), difference(existing, off));
        assertEquals(Set.of("CallerS3EventsRule", "CallerDynamoDbEventsRule", "CallerTrail", "CallerTrailBucket",
                "CallerTrailBucketPolicy"), difference(created, off));
        assertEquals("off", template.function("StateEventsFunction", Map.of()).environment().get("CALLER_ENRICHMENT"));
        assertEquals("on", template.function("StateEventsFunction", Map.of("CallerEnrichment", "create-trail"))
                .environment().get("CALLER_ENRICHMENT"));
    }

    static final Map<String, String> LOCK_TABLE = Map.of("LockTableName", "terraform-locks", "LockTableStreamArn",
            "arn:aws:dynamodb:eu-west-1:123456789012:table/terraform-locks/stream/2025-01-06T10:00:00.000");

    @Test
    void aBackendOnLockFilesAloneDeploysWithNoLockTableParametersAndNothingThatCouldReadALockTable() {
        Map<String, String> lockFiles = Map.of("CallerEnrichment", "create-trail", "StateBucketName", "acme-tfstate");
        Set<String> created = template.resourcesCreated(lockFiles);

        assertTrue(created.stream().noneMatch(name -> name.startsWith("LockEvents")), created.toString());
        assertTrue(!created.contains("CallerDynamoDbEventsRule"), created.toString());
        assertTrue(created.containsAll(Set.of("StateEventsFunction", "StaleLockSweepFunction", "StateEventsQueue",
                "StateBucketObjectEventsRule", "CallerS3EventsRule", "CallerTrail")), created.toString());
        for (String role : roles(created)) {
            for (Map<String, Object> statement : statements(role, lockFiles)) {
                boolean dynamoDb = actions(statement).stream().anyMatch(action -> action.startsWith("dynamodb:"));
                assertTrue(!dynamoDb || statement.get("Resource").equals("{LockHistoryTable.Arn}"),
                        role + " may only touch the history table in DynamoDB: " + statement);
            }
        }
        for (String name : List.of("StateEventsFunction", "StaleLockSweepFunction")) {
            Map<String, String> environment = template.function(name, lockFiles).environment();
            assertEquals("", environment.get("LOCK_TABLE"), name);
            assertEquals("", environment.get("LOCK_TABLE_STREAM_ARN"), name);
        }
        String selectors = String.valueOf(template.properties("CallerTrail", lockFiles).get("AdvancedEventSelectors"));
        assertTrue(selectors.contains("AWS::S3::Object") && !selectors.contains("DynamoDB"), selectors);
    }

    @Test
    void aBackendWithALockTableGetsItsStreamFunctionAndReadOnlyLockTableStatements() {
        Map<String, String> withTable = with(LOCK_TABLE, "CallerEnrichment", "existing-trail");
        Set<String> created = template.resourcesCreated(withTable);

        assertTrue(created.containsAll(Set.of("LockEventsFunction", "LockEventsRole", "LockEventsDeadLetterQueue",
                "LockEventsErrorsAlarm", "LockEventsDeadLetterAlarm", "CallerDynamoDbEventsRule")), created.toString());
        String lockTableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/terraform-locks";
        for (String role : List.of("LockEventsRole", "StateEventsRole", "StaleLockSweepRole")) {
            List<String> onTheTable = statements(role, withTable).stream()
                    .filter(statement -> lockTableArn.equals(statement.get("Resource")))
                    .flatMap(statement -> actions(statement).stream()).toList();
            assertTrue(!onTheTable.isEmpty(), role + " reads the lock table");
            assertTrue(onTheTable.stream().allMatch(Set.of("dynamodb:GetItem", "dynamodb:Scan", "dynamodb:DescribeTable")
                    ::contains), role + " only reads the lock table: " + onTheTable);
        }
        assertEquals("terraform-locks", template.function("StaleLockSweepFunction", withTable).environment()
                .get("LOCK_TABLE"));
    }

    /** The roles among the resources created. */
    List<String> roles(Set<String> created) {
        return created.stream().filter(name -> name.endsWith("Role")).toList();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> statements(String role, Map<String, String> values) {
        List<Map<String, Object>> statements = new java.util.ArrayList<>();
        for (Object policy : (List<Object>) template.properties(role, values).getOrDefault("Policies", List.of())) {
            Map<String, Object> document = (Map<String, Object>) ((Map<String, Object>) policy).get("PolicyDocument");
            statements.addAll((List<Map<String, Object>>) document.get("Statement"));
        }
        return statements;
    }

    static List<String> actions(Map<String, Object> statement) {
        Object action = statement.get("Action");
        return action instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of(String.valueOf(action));
    }

    static Map<String, String> with(Map<String, String> values, String name, String value) {
        Map<String, String> more = new java.util.HashMap<>(values);
        more.put(name, value);
        return more;
    }

    static Set<String> difference(Set<String> more, Set<String> less) {
        Set<String> extra = new TreeSet<>(more);
        extra.removeAll(less);
        return extra;
    }

    @Test
    void eachFunctionIsGivenOnlyTheQueueAndStreamItUsesSoThatItBuildsNoClientItDoesNotNeed() {
        Map<String, String> values = Map.of("StateEventsQueue", "https://sqs/queue", "LockTableStreamArn", "stream");
        assertEquals("https://sqs/queue", template.function("StateEventsFunction", values).environment()
                .get("STATE_EVENTS_QUEUE_URL"));
        assertEquals("stream", template.function("StaleLockSweepFunction", values).environment().get("LOCK_TABLE_STREAM_ARN"));
        for (String name : List.of("LockEventsFunction", "StaleLockSweepFunction", "SlackNotifierFunction")) {
            assertEquals(null, template.function(name, values).environment().get("STATE_EVENTS_QUEUE_URL"), name);
        }
        assertEquals(null, template.function("LockEventsFunction", values).environment().get("LOCK_TABLE_STREAM_ARN"));
    }

    @Test
    void theKeptParseReadsAsTheTemplateDoes(@org.junit.jupiter.api.io.TempDir Path project) throws Exception {
        Path copy = Files.copy(TEMPLATE, project.resolve("template.yaml"));
        java.nio.file.attribute.FileTime past = java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - 3_600_000);
        Files.setLastModifiedTime(copy, past);
        Path kept = project.resolve(".aws-sam/local/template.yaml.parsed");
        Map<String, String> values = Map.of("LockHistoryTable", "history-table", "EnvironmentName", "prod");

        SamTemplate parsed = SamTemplate.loadKept(copy);
        assertTrue(Files.size(kept) > 0, "the parse is kept");
        // The template no longer parses, but is older than the kept parse: that is what is read.
        Files.writeString(copy, "Resources: [unclosed");
        Files.setLastModifiedTime(copy, past);
        SamTemplate read = SamTemplate.loadKept(copy);

        assertEquals(template.functionNames(), read.functionNames());
        for (String name : template.functionNames()) {
            assertEquals(template.function(name, values), parsed.function(name, values), name);
            assertEquals(template.function(name, values), read.function(name, values), name);
        }
        assertEquals(template.parameterNames(), read.parameterNames());
        assertEquals(template.resourcesCreated(values), read.resourcesCreated(values));

        // A kept file that cannot be read is parsed again, and kept anew.
        Files.copy(TEMPLATE, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(copy, past);
        Files.write(kept, new byte[] {0, 0, 0, 1, 'X'});
        Files.setLastModifiedTime(kept, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertEquals(template.function("LockEventsFunction", values),
                SamTemplate.loadKept(copy).function("LockEventsFunction", values));
        assertTrue(Files.size(kept) > 5, "kept again");
    }
}
