package dev.lockauditor.cli;

/** Does nothing: a fresh JVM running it is the floor of any cold start. */
public final class EmptyMain {

    private EmptyMain() {
    }

    public static void main(String[] args) {
        // The floor: JVM start, this class, exit.
    }
}
