package dev.lockauditor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockauditor.runtime.Jdk;
import dev.lockauditor.runtime.LambdaProcess;
import dev.lockauditor.runtime.SamTemplate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A function's JVM command line, as each Lambda Java runtime would start it. */
class LambdaCommandLineTest {

    static final List<String> C1 = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1");

    final SamTemplate.Function function = SamTemplate.load(TemplateTest.TEMPLATE)
            .function("LockEventsFunction", Map.of());

    static List<String> command(SamTemplate.Function function, int feature) {
        return LambdaProcess.command(function, new Jdk(Path.of("/opt/jdk-" + feature), feature), null, List.of());
    }

    @Test
    void java25LeavesASnapStartFunctionOnTheJvmsDefaultCompilationAndEveryOtherAtC1() {
        assertTrue(function.snapStart());
        assertFalse(command(function, 25).containsAll(C1), "java25 with SnapStart: the JVM's default");
        assertTrue(command(function.onDemand(), 25).containsAll(C1), "java25 without SnapStart");
        assertTrue(command(function, 17).containsAll(C1), "java21, played by a JDK 17");
        assertTrue(command(function, 21).containsAll(C1));
    }

    @Test
    void theTemplateStopsEveryFunctionAtC1Again() {
        assertEquals("-XX:+TieredCompilation -XX:TieredStopAtLevel=1", function.environment().get("JAVA_TOOL_OPTIONS"));
    }

    @Test
    void theRuntimesOwnFlagsAndEntryPointAsTheManagedRuntimeGivesThem() {
        List<String> command = command(function, 25);
        assertEquals("/opt/jdk-25/bin/java", command.get(0));
        assertEquals("-XX:MaxHeapSize=" + function.memoryMb() * 1024L * 85 / 100 + "k", command.get(1));
        assertTrue(command.containsAll(List.of("-XX:+UseSerialGC", "--add-opens=java.base/java.io=ALL-UNNAMED",
                "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac", "-XX:+ErrorFileToStderr")));
        assertEquals(List.of("com.amazonaws.services.lambda.runtime.api.client.AWSLambda", function.handler()),
                command.subList(command.size() - 2, command.size()));
    }
}
