package dev.lockauditor.runtime;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * template.yaml as {@code sam local invoke} reads it: each serverless function's code folder, handler, runtime
 * settings and environment, its {@code Globals} merged in, {@code !Ref}s resolved from parameter values (their
 * defaults unless given) and the resources' names given by the caller.
 */
public final class SamTemplate {

    /** One function as deployed: what the Lambda service gives its execution environment. */
    public record Function(String name, String codeUri, String handler, String runtime, int memoryMb, int timeoutSeconds,
                    boolean snapStart, String logFormat, String logLevel, Map<String, String> environment) {

        /** The same function with another environment. */
        public Function withEnvironment(Map<String, String> variables) {
            return new Function(name, codeUri, handler, runtime, memoryMb, timeoutSeconds, snapStart, logFormat, logLevel,
                    variables);
        }

        /** The same function initialized on demand, as {@code sam local invoke} runs it: no SnapStart hooks. */
        public Function onDemand() {
            return new Function(name, codeUri, handler, runtime, memoryMb, timeoutSeconds, false, logFormat, logLevel,
                    environment);
        }

        /** The same function with another memory size (and so another heap). */
        public Function withMemory(int megabytes) {
            return new Function(name, codeUri, handler, runtime, megabytes, timeoutSeconds, snapStart, logFormat, logLevel,
                    environment);
        }
    }

    /**
     * The project's folder (template.yaml, the function folders): where bin/lock-auditor lives
     * ({@code LOCK_AUDITOR_HOME}, which it sets), else the nearest folder up from here that has a template.yaml.
     */
    public static Path projectFolder(Map<String, String> env) {
        String home = env.get("LOCK_AUDITOR_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home).toAbsolutePath().normalize();
        }
        for (Path folder = Path.of("").toAbsolutePath(); folder != null; folder = folder.getParent()) {
            if (Files.isRegularFile(folder.resolve("template.yaml"))) {
                return folder;
            }
        }
        throw new SetupException("no template.yaml here or above; run bin/lock-auditor from the project");
    }

    private final Map<String, Object> root;

    private SamTemplate(Map<String, Object> root) {
        this.root = root;
    }

    public static SamTemplate load(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            Map<String, Object> root = new Yaml(new CloudFormationTags()).load(reader);
            return new SamTemplate(root);
        } catch (IOException e) {
            throw new SetupException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * The same, read from the copy of its parse kept under {@code .aws-sam/local/} beside it while that is newer than
     * the file (parsing the YAML is most of a short command's start-up); parsed and kept again otherwise.
     */
    public static SamTemplate loadKept(Path file) {
        Path kept = file.toAbsolutePath().resolveSibling(".aws-sam").resolve("local").resolve(file.getFileName() + ".parsed");
        try {
            if (Files.isRegularFile(kept)
                    && Files.getLastModifiedTime(kept).compareTo(Files.getLastModifiedTime(file)) > 0
                    && KeptParse.read(kept) instanceof Map<?, ?> root) {
                @SuppressWarnings("unchecked")
                Map<String, Object> document = (Map<String, Object>) root;
                return new SamTemplate(document);
            }
        } catch (IOException | RuntimeException e) {
            // parsed again below
        }
        SamTemplate template = load(file);
        try {
            WholeFile.write(kept, written -> KeptParse.write(template.root, written));
        } catch (IOException | RuntimeException e) {
            // kept next time
        }
        return template;
    }

    /** The names of the template's parameters, sorted. */
    public TreeSet<String> parameterNames() {
        return new TreeSet<>(map(root, "Parameters").keySet());
    }

    /** A parameter's default value, as a string; empty when it has none. */
    public String parameterDefault(String name) {
        Object parameter = map(root, "Parameters").get(name);
        if (parameter == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'");
        }
        Object value = map(parameter).get("Default");
        return value == null ? "" : value.toString();
    }

    /** The logical ids of the template's serverless functions, sorted. */
    public TreeSet<String> functionNames() {
        TreeSet<String> names = new TreeSet<>();
        map(root, "Resources").forEach((name, resource) -> {
            if ("AWS::Serverless::Function".equals(map(resource).get("Type"))) {
                names.add(name);
            }
        });
        return names;
    }

    /**
     * @param values parameter values and resource names by logical id, for {@code !Ref}; a parameter not given
     *               takes its default, anything else unresolved becomes an empty string
     */
    public Function function(String name, Map<String, String> values) {
        Object resource = map(root, "Resources").get(name);
        if (resource == null || !"AWS::Serverless::Function".equals(map(resource).get("Type"))) {
            throw new UsageException("no function '" + name + "'; functions: " + String.join(", ", functionNames()));
        }
        Map<String, Object> globals = map(map(root, "Globals"), "Function");
        Map<String, Object> own = map(resource, "Properties");
        Map<String, Object> properties = new LinkedHashMap<>(globals);
        properties.putAll(own);

        Map<String, String> refs = refs(values);
        Map<String, String> environment = new LinkedHashMap<>();
        for (Map<String, Object> source : List.of(globals, own)) {
            map(map(source, "Environment"), "Variables").forEach((variable, value) ->
                    environment.put(variable, resolve(value, refs)));
        }
        Map<String, Object> logging = map(properties, "LoggingConfig");
        return new Function(name, resolve(properties.get("CodeUri"), refs), resolve(properties.get("Handler"), refs),
                resolve(properties.get("Runtime"), refs), number(properties.get("MemorySize"), 128),
                number(properties.get("Timeout"), 3),
                "PublishedVersions".equals(map(properties, "SnapStart").get("ApplyOn")),
                logging.get("LogFormat") == null ? "Text" : resolve(logging.get("LogFormat"), refs),
                resolve(logging.get("ApplicationLogLevel"), refs), environment);
    }

    /** The types of the function's event sources ({@code SQS}, {@code DynamoDB}, {@code SNS}, ...). */
    public java.util.Set<String> eventSourceTypes(String name) {
        java.util.Set<String> types = new java.util.TreeSet<>();
        map(map(map(root, "Resources").get(name), "Properties"), "Events").values()
                .forEach(source -> types.add(String.valueOf(map(source).get("Type"))));
        return types;
    }

    /**
     * The logical ids of the resources a stack with these parameter values creates: those with no {@code Condition}
     * and those whose condition holds.
     */
    public TreeSet<String> resourcesCreated(Map<String, String> values) {
        Map<String, String> refs = refs(values);
        TreeSet<String> created = new TreeSet<>();
        map(root, "Resources").forEach((name, resource) -> {
            Object condition = map(resource).get("Condition");
            if (!(condition instanceof String named) || condition(named, refs)) {
                created.add(name);
            }
        });
        return created;
    }

    /** The logical ids of the resources of one type ({@code AWS::CloudWatch::Alarm}) a stack with these values creates. */
    public TreeSet<String> resourcesCreated(String type, Map<String, String> values) {
        TreeSet<String> created = resourcesCreated(values);
        created.removeIf(name -> !type.equals(map(map(root, "Resources").get(name)).get("Type")));
        return created;
    }

    /**
     * A resource's {@code Properties} as a stack with these values creates them: {@code !If} decided, what resolves to
     * {@code AWS::NoValue} left out, {@code !Ref} and {@code !Sub} resolved from the values (a resource's name by its
     * logical id, an attribute as {@code LogicalId.Attribute}; {@code AWS::Partition} is {@code aws}), anything
     * unresolved kept as its logical id in braces.
     */
    public Map<String, Object> properties(String name, Map<String, String> values) {
        Object resource = map(root, "Resources").get(name);
        if (resource == null) {
            throw new IllegalArgumentException("no resource '" + name + "'");
        }
        return map(resolved(map(resource).get("Properties"), refs(values)));
    }

    private static final Object NO_VALUE = new Object();

    private Object resolved(Object node, Map<String, String> refs) {
        if (node instanceof List<?> list) {
            List<Object> out = new java.util.ArrayList<>();
            for (Object each : list) {
                Object value = resolved(each, refs);
                if (value != NO_VALUE) {
                    out.add(value);
                }
            }
            return out;
        }
        if (!(node instanceof Map<?, ?> function)) {
            return node;
        }
        if (function.size() == 1 && function.get("Ref") instanceof String ref) {
            return ref.equals("AWS::NoValue") ? NO_VALUE : reference(ref, refs);
        }
        if (function.size() == 1 && function.get("Fn::If") instanceof List<?> choice && choice.size() == 3) {
            return resolved(condition(String.valueOf(choice.get(0)), refs) ? choice.get(1) : choice.get(2), refs);
        }
        if (function.size() == 1 && function.get("Fn::GetAtt") instanceof List<?> attribute && attribute.size() == 2) {
            return reference(attribute.get(0) + "." + attribute.get(1), refs);
        }
        if (function.size() == 1 && function.get("Fn::GetAtt") instanceof String attribute) {
            return reference(attribute, refs);
        }
        if (function.size() == 1 && function.containsKey("Fn::Sub")) {
            Object sub = function.get("Fn::Sub");
            String text = String.valueOf(sub instanceof List<?> parts ? parts.get(0) : sub);
            Map<String, String> scope = new LinkedHashMap<>(refs);
            if (sub instanceof List<?> parts && parts.size() == 2) {
                map(parts.get(1)).forEach((variable, value) -> scope.put(variable, String.valueOf(resolved(value, refs))));
            }
            java.util.regex.Matcher variable = java.util.regex.Pattern.compile("\\$\\{([^}!]+)}").matcher(text);
            StringBuilder out = new StringBuilder();
            while (variable.find()) {
                variable.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(reference(variable.group(1), scope)));
            }
            return variable.appendTail(out).toString();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map(node).forEach((key, value) -> {
            Object resolvedValue = resolved(value, refs);
            if (resolvedValue != NO_VALUE) {
                out.put(key, resolvedValue);
            }
        });
        return out;
    }

    private static String reference(String name, Map<String, String> refs) {
        return switch (name) {
            case "AWS::Partition" -> "aws";
            case "AWS::Region" -> refs.getOrDefault(name, "us-east-1");
            case "AWS::AccountId" -> refs.getOrDefault(name, "123456789012");
            default -> refs.getOrDefault(name, "{" + name + "}");
        };
    }

    private Map<String, String> refs(Map<String, String> values) {
        Map<String, String> refs = new LinkedHashMap<>();
        map(root, "Parameters").forEach((parameter, spec) -> {
            Object fallback = map(spec).get("Default");
            refs.put(parameter, fallback == null ? "" : String.valueOf(fallback));
        });
        refs.putAll(values);
        return refs;
    }

    private String resolve(Object value, Map<String, String> refs) {
        if (value == null) {
            return "";
        }
        if (value instanceof Map<?, ?> function && function.get("Ref") instanceof String ref) {
            return refs.getOrDefault(ref, "");
        }
        if (value instanceof Map<?, ?> function && function.get("Fn::If") instanceof List<?> choice && choice.size() == 3) {
            return resolve(condition(String.valueOf(choice.get(0)), refs) ? choice.get(1) : choice.get(2), refs);
        }
        if (value instanceof Map<?, ?>) {
            return "";
        }
        return String.valueOf(value);
    }

    /** A condition of the template's {@code Conditions}, with Equals, Not, And, Or and Condition as CloudFormation has them. */
    private boolean condition(String name, Map<String, String> refs) {
        return holds(map(root, "Conditions").get(name), refs);
    }

    private boolean holds(Object expression, Map<String, String> refs) {
        Map<String, Object> function = map(expression);
        if (function.get("Condition") instanceof String named) {
            return condition(named, refs);
        }
        if (function.get("Fn::Equals") instanceof List<?> pair && pair.size() == 2) {
            return resolve(pair.get(0), refs).equals(resolve(pair.get(1), refs));
        }
        if (function.get("Fn::Not") instanceof List<?> one && one.size() == 1) {
            return !holds(one.get(0), refs);
        }
        if (function.get("Fn::And") instanceof List<?> all) {
            return all.stream().allMatch(each -> holds(each, refs));
        }
        if (function.get("Fn::Or") instanceof List<?> any) {
            return any.stream().anyMatch(each -> holds(each, refs));
        }
        throw new IllegalStateException("a condition this reader does not know: " + expression);
    }

    private static int number(Object value, int fallback) {
        return value instanceof Number n ? n.intValue() : fallback;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Map<String, Object> map(Object node, String key) {
        return map(map(node).get(key));
    }

    /** CloudFormation's short-form intrinsic functions ({@code !Ref X}) read as their long form ({@code {Ref: X}}). */
    private static final class CloudFormationTags extends SafeConstructor {

        CloudFormationTags() {
            super(new LoaderOptions());
            for (String function : List.of("Ref", "Condition", "GetAtt", "Sub", "If", "Not", "Equals", "And", "Or",
                    "Join", "Select", "Split", "FindInMap", "Base64", "ImportValue", "GetAZs", "Cidr")) {
                String longForm = function.equals("Ref") || function.equals("Condition") ? function : "Fn::" + function;
                yamlConstructors.put(new Tag("!" + function), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        Object value = node instanceof ScalarNode scalar ? constructScalar(scalar)
                                : node instanceof SequenceNode sequence ? constructSequence(sequence)
                                : constructMapping((MappingNode) node);
                        return Map.of(longForm, value);
                    }
                });
            }
        }
    }
}
