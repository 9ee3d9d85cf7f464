package dev.lockauditor.cli;

import dev.lockauditor.runtime.UsageException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.cli.command.AuditCommand;
import dev.lockauditor.cli.command.HistoryCommand;
import dev.lockauditor.cli.command.InvokeCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One parser for every command: the same spellings, the same messages, a --help from each declaration. */
class CommandLineTest {

    @Test
    void optionsAreSpelledTheSameWayForEveryCommand() {
        CommandLine.Parsed spaced = CommandLine.parse(AuditCommand.SPEC, List.of("--table", "locks", "--json",
                "--parallel", "8"));
        CommandLine.Parsed joined = CommandLine.parse(AuditCommand.SPEC, List.of("--table=locks", "--json",
                "--parallel=8"));

        assertEquals(spaced.options(), joined.options());
        assertEquals("locks", spaced.value("--table", null));
        assertTrue(spaced.flag("--json"));
        assertFalse(spaced.flag("--bucket"));
        assertEquals(8, spaced.number("--parallel", 4, 1));
        assertEquals(List.of("acme/app.tfstate"),
                CommandLine.parse(HistoryCommand.SPEC, List.of("--since", "24h", "acme/app.tfstate")).operands());
        assertEquals(Duration.ofSeconds(5), CommandLine.parse(new CommandLine.Spec("x", List.of(), "",
                List.of(CommandLine.Option.valued("--every", "SECONDS", ""))), List.of("--every", "5"))
                .seconds("--every", null));
    }

    @Test
    void whatIsWrongIsSaidTheSameWay() {
        assertEquals("audit: unknown option '--frobnicate'", assertThrows(UsageException.class,
                () -> CommandLine.parse(AuditCommand.SPEC, List.of("--frobnicate"))).getMessage());
        assertEquals("--table needs a value (TABLE)", assertThrows(UsageException.class,
                () -> CommandLine.parse(AuditCommand.SPEC, List.of("--table"))).getMessage());
        assertEquals("--json takes no value", assertThrows(UsageException.class,
                () -> CommandLine.parse(AuditCommand.SPEC, List.of("--json=yes"))).getMessage());
        assertEquals("--parallel takes a whole number of at least 1", assertThrows(UsageException.class,
                () -> CommandLine.parse(AuditCommand.SPEC, List.of("--parallel", "0")).number("--parallel", 4, 1))
                .getMessage());
        assertEquals("invoke takes FUNCTION EVENT_FILE", assertThrows(UsageException.class,
                () -> CommandLine.parse(InvokeCommand.SPEC, List.of("LockEventsFunction"))).getMessage());
    }

    @Test
    void everyCommandHasItsOwnHelpOnStdout() {
        for (String command : List.of("invoke", "local", "audit", "history")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = Main.run(List.of(command, "--help"), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream()));

            String help = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, status);
            assertTrue(help.startsWith("usage: bin/lock-auditor " + command), help);
            assertTrue(help.contains("options:") || command.equals("invoke") && help.contains("--env-vars"), help);
        }
    }
}
