package dev.lockauditor.cli;

import dev.lockauditor.runtime.UsageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one argument parser of {@code bin/lock-auditor}: each command declares its options and operands once
 * ({@link Spec}), and gets the same spelling rules ({@code --name VALUE} or {@code --name=VALUE}), the same
 * messages for what is wrong, and its own {@code --help} from that declaration.
 */
public final class CommandLine {

    /** An option: a flag when it takes no value; a repeatable one may be given more than once. */
    public record Option(String name, String value, String help, boolean repeatable) {

        public static Option flag(String name, String help) {
            return new Option(name, null, help, false);
        }

        public static Option valued(String name, String value, String help) {
            return new Option(name, value, help, false);
        }

        public static Option repeatable(String name, String value, String help) {
            return new Option(name, value, help, true);
        }

        boolean isFlag() {
            return value == null;
        }
    }

    /**
     * A command's arguments.
     *
     * @param operands     the operands' names, e.g. {@code FUNCTION EVENT_FILE}; each is required
     * @param description  what the command does, a paragraph
     */
    public record Spec(String command, List<String> operands, String description, List<Option> options) {

        public String usage() {
            StringBuilder text = new StringBuilder("usage: bin/lock-auditor ").append(command);
            operands.forEach(operand -> text.append(' ').append(operand));
            options.forEach(option -> text.append(" [").append(option.name())
                    .append(option.isFlag() ? "" : " " + option.value()).append(']').append(option.repeatable() ? "..." : ""));
            text.append("\n\n").append(description).append('\n');
            if (!options.isEmpty()) {
                text.append("\noptions:\n");
                for (Option option : options) {
                    String name = option.name() + (option.isFlag() ? "" : " " + option.value());
                    text.append(String.format("  %-24s %s%n", name, option.help()));
                }
            }
            return text.toString();
        }
    }

    /**
     * What was given: option values by name ({@code ""} for a flag), and the operands in order; a repeatable option's
     * values in the order given.
     */
    public record Parsed(Spec spec, Map<String, String> options, List<String> operands,
                         Map<String, List<String>> repeated) {

        /** Every value of a repeatable option, in the order given. */
        public List<String> values(String name) {
            return repeated.getOrDefault(name, List.of());
        }

        public boolean flag(String name) {
            return options.containsKey(name);
        }

        public String value(String name, String fallback) {
            return options.getOrDefault(name, fallback);
        }

        public String operand(int index) {
            return operands.get(index);
        }

        /** A whole number of at least {@code minimum}. */
        public int number(String name, int fallback, int minimum) {
            String text = options.get(name);
            if (text == null) {
                return fallback;
            }
            try {
                int value = Integer.parseInt(text);
                if (value >= minimum) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new UsageException(name + " takes a whole number" + (minimum > 0 ? " of at least " + minimum : ""));
        }

        /** A length of time written {@code 30m}, {@code 8h} or {@code 2d}; null when the option is not given. */
        public Duration duration(String name) {
            String text = options.get(name);
            if (text == null) {
                return null;
            }
            Duration length = lengthOfTime(text);
            if (length == null || length.isZero()) {
                throw new UsageException(name + " takes a length of time: 30m, 8h or 2d");
            }
            return length;
        }

        /** A whole number of seconds, more than none. */
        public Duration seconds(String name, Duration fallback) {
            return options.containsKey(name) ? Duration.ofSeconds(number(name, 0, 1)) : fallback;
        }
    }

    /** {@code --help} was asked for: the command's usage is the answer. */
    public static final class HelpRequested extends RuntimeException {
        private final String usage;

        HelpRequested(String usage) {
            super("help");
            this.usage = usage;
        }

        public String usage() {
            return usage;
        }
    }

    private static final java.util.regex.Pattern LENGTH_OF_TIME = java.util.regex.Pattern.compile("(\\d+)([mhd])");

    private CommandLine() {
    }

    /** {@code 30m}, {@code 8h}, {@code 2d} as a duration; null for anything else. */
    public static Duration lengthOfTime(String text) {
        java.util.regex.Matcher amount = LENGTH_OF_TIME.matcher(text);
        if (!amount.matches()) {
            return null;
        }
        long value = Long.parseLong(amount.group(1));
        return switch (amount.group(2)) {
            case "m" -> Duration.ofMinutes(value);
            case "h" -> Duration.ofHours(value);
            default -> Duration.ofDays(value);
        };
    }

    public static Parsed parse(Spec spec, List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, List<String>> repeated = new LinkedHashMap<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new HelpRequested(spec.usage());
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                operands.add(arg);
                continue;
            }
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            Option option = spec.options().stream().filter(o -> o.name().equals(name)).findFirst()
                    .orElseThrow(() -> new UsageException(spec.command() + ": unknown option '" + name + "'"));
            if (option.isFlag()) {
                if (arg.contains("=")) {
                    throw new UsageException(name + " takes no value");
                }
                values.put(name, "");
            } else {
                String value;
                if (arg.contains("=")) {
                    value = arg.substring(arg.indexOf('=') + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException(name + " needs a value (" + option.value() + ")");
                }
                values.put(name, value);
                if (option.repeatable()) {
                    repeated.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
                }
            }
        }
        if (operands.size() != spec.operands().size()) {
            throw new UsageException(spec.command() + (spec.operands().isEmpty() ? " takes no operand"
                    : " takes " + String.join(" ", spec.operands())));
        }
        return new Parsed(spec, values, operands, repeated);
    }
}
