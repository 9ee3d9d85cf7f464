package dev.lockauditor.runtime;

/** The command was used wrongly (an unknown function, a missing file): said in one line, exit status 2. */
public final class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
