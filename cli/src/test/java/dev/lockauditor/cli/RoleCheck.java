package dev.lockauditor.cli;

import dev.lockauditor.testsupport.AwsCall;
import dev.lockauditor.runtime.SamTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Least privilege, proven rather than reviewed: every AWS request a function made as deployed (recorded by the proxy in
 * front of moto, which enforces no IAM) against what its role in template.yaml allows on that resource. A request its
 * role does not allow would be AccessDenied on AWS; an action its role allows and nothing ever asked for is listed, so
 * that the role can shrink.
 */
final class RoleCheck {

    /** What one Allow statement of a role grants, by its Sid. */
    record Grant(String sid, List<String> actions, List<String> resources) {
    }

    /**
     * @param denied  requests the role does not allow (each is AccessDenied on AWS)
     * @param used    the actions called, each with the resource it was called on, as the README lists them
     * @param unused  actions the role allows that no request used, but for those Lambda or SNS use on its behalf
     */
    record Result(String function, List<String> denied, Set<String> used, Set<String> unused) {
    }

    /**
     * The statements (by Sid) that Lambda and SNS use with a function's role, not its code, so that no request of the
     * function shows them: the runtime's logs, the event source mappings' reads of the queue and (LockEventsFunction's)
     * stream, the failed-event destinations, SNS's use of the alert topic's key.
     */
    static final Set<String> ON_ITS_BEHALF = Set.of("Logs", "StateEventsQueue", "FailedBatchesToDeadLetterQueue",
            "UndeliveredToDeadLetterQueue", "EncryptAlerts", "EncryptAlertsForExistingTopic", "ListStreams",
            "LockEventsFunction/ReadLockTableStream");

    private static final Pattern REFERENCE = Pattern.compile("\\{([A-Za-z0-9]+)(\\.Arn)?}");

    private RoleCheck() {
    }

    /** The Allow statements of a function's role, and of the managed policies attached to it. */
    @SuppressWarnings("unchecked")
    static List<Grant> grants(SamTemplate template, String function, Map<String, String> values) {
        String role = logicalId(String.valueOf(template.properties(function, values).get("Role")));
        Map<String, Object> properties = template.properties(role, values);
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object policy : (List<Object>) properties.getOrDefault("Policies", List.of())) {
            documents.add((Map<String, Object>) ((Map<String, Object>) policy).get("PolicyDocument"));
        }
        for (Object managed : (List<Object>) properties.getOrDefault("ManagedPolicyArns", List.of())) {
            documents.add((Map<String, Object>) template.properties(logicalId(String.valueOf(managed)), values)
                    .get("PolicyDocument"));
        }
        List<Grant> grants = new ArrayList<>();
        for (Map<String, Object> document : documents) {
            for (Map<String, Object> statement : (List<Map<String, Object>>) document.get("Statement")) {
                if ("Allow".equals(statement.get("Effect"))) {
                    grants.add(new Grant(String.valueOf(statement.get("Sid")), strings(statement.get("Action")),
                            strings(statement.get("Resource"))));
                }
            }
        }
        return grants;
    }

    /** @param named the stack's own resources' ARNs, and what each is, for the list of actions used */
    static Result check(SamTemplate template, String function, Map<String, String> values, List<AwsCall> calls,
                        Map<String, String> named) {
        List<Grant> grants = grants(template, function, values);
        List<String> denied = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        Set<String> usedActions = new TreeSet<>();
        for (AwsCall call : calls) {
            String arn = arn(call);
            boolean allowed = grants.stream().anyMatch(grant -> grant.actions().stream()
                    .anyMatch(action -> matches(action, call.action()))
                    && grant.resources().stream().anyMatch(resource -> matches(resource, arn)));
            if (!allowed) {
                denied.add(call.action() + " on " + arn);
            }
            used.add(call.action() + " on the " + kind(arn, named));
            usedActions.add(call.action());
        }
        Set<String> unused = new TreeSet<>();
        grants.stream().filter(grant -> !ON_ITS_BEHALF.contains(grant.sid())
                        && !ON_ITS_BEHALF.contains(function + "/" + grant.sid()))
                .forEach(grant -> grant.actions().stream().filter(action -> !usedActions.contains(action))
                        .forEach(unused::add));
        return new Result(function, denied, used, unused);
    }

    /**
     * The proof for one backend mode: every function's requests against its role. A request a role does not allow
     * fails; each function's row (what it called, on what; what its role allows that nothing called) must be in
     * docs/security.md as it is, so that the README's account of the roles stays what the check found.
     */
    static void prove(String mode, Map<String, List<AwsCall>> callsByFunction, SamTemplate template,
                      Map<String, String> values, Map<String, String> named) throws java.io.IOException {
        String security = java.nio.file.Files.readString(FunctionsEnd2EndTest.ROOT.resolve("docs/security.md"));
        List<String> failures = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        for (Map.Entry<String, List<AwsCall>> function : new java.util.TreeMap<>(callsByFunction).entrySet()) {
            Result result = check(template, function.getKey(), values, function.getValue(), named);
            if (!result.denied().isEmpty()) {
                failures.add(function.getKey() + " makes requests its role does not allow (AccessDenied on AWS): "
                        + new TreeSet<>(result.denied()));
            }
            String row = "| " + mode + " | " + function.getKey() + " | " + String.join("<br>", result.used()) + " | "
                    + (result.unused().isEmpty() ? "none" : String.join(", ", result.unused())) + " |";
            table.append(row).append('\n');
            if (!security.contains(row)) {
                failures.add("docs/security.md does not list " + function.getKey() + " (" + mode + ") as found:\n" + row);
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(String.join("\n", failures) + "\n\nthe rows as found:\n" + table);
        }
    }

    /** The ARN a request acts on, from what the request names. */
    static String arn(AwsCall call) {
        String service = call.action().substring(0, call.action().indexOf(':'));
        String resource = call.resource();
        if (resource.startsWith("arn:")) {
            return resource;
        }
        return switch (service) {
            case "dynamodb" -> "arn:aws:dynamodb:us-east-1:123456789012:table/" + resource;
            case "s3" -> "arn:aws:s3:::" + resource;
            case "sqs" -> "arn:aws:sqs:us-east-1:123456789012:" + resource.substring(resource.lastIndexOf('/') + 1);
            default -> resource;
        };
    }

    /**
     * What a resource is to the stack, as the README names it.
     *
     * @param named the stack's own resources' ARNs, and what each is ("history table", "alert topic", ...)
     */
    static String kind(String arn, Map<String, String> named) {
        if (named.containsKey(arn)) {
            return named.get(arn);
        }
        if (arn.startsWith("arn:aws:s3:::")) {
            return !arn.contains("/") ? "state bucket" : arn.endsWith(".tflock") ? "lock files" : "state objects";
        }
        return arn;
    }

    /** An IAM pattern ({@code *} any characters, {@code ?} one) against an action or an ARN. */
    static boolean matches(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL).matcher(value).matches();
    }

    private static String logicalId(String reference) {
        Matcher matcher = REFERENCE.matcher(reference);
        if (!matcher.matches()) {
            throw new IllegalStateException("not a reference to a resource: " + reference);
        }
        return matcher.group(1);
    }

    private static List<String> strings(Object value) {
        return value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of(String.valueOf(value));
    }
}
