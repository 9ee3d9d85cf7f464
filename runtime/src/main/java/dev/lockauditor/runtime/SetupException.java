package dev.lockauditor.runtime;

/** What a run needs is not there or cannot be made (a build, a process, a table): said in one line, exit status 2. */
public final class SetupException extends RuntimeException {

    public SetupException(String message) {
        super(message);
    }
}
