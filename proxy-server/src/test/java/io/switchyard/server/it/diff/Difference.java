package io.switchyard.server.it.diff;

import java.util.ArrayList;
import java.util.List;

/**
 * The first statement of a session whose outcome through the proxy differs from its outcome on
 * the direct server, with what is needed to replay it.
 *
 * <p>Immutable.
 */
public record Difference(long seed, SessionPlan plan, int index, Outcome direct, Outcome proxied, List<Integer> later) {

    public Difference {
        later = List.copyOf(later);
    }

    /** The first difference between two sessions' outcomes, or null if they are the same. */
    public static Difference first(long seed, SessionPlan plan, List<Outcome> direct, List<Outcome> proxied) {
        List<Integer> differing = new ArrayList<>();
        Outcome missing = new Outcome(List.of("(no outcome: the session ended)"));
        for (int i = 0; i < Math.max(direct.size(), proxied.size()); i++) {
            if (!(i < direct.size() ? direct.get(i) : missing).equals(i < proxied.size() ? proxied.get(i) : missing)) {
                differing.add(i);
            }
        }
        if (differing.isEmpty()) {
            return null;
        }
        int first = differing.get(0);
        return new Difference(seed, plan, first, first < direct.size() ? direct.get(first) : missing,
                first < proxied.size() ? proxied.get(first) : missing, differing.subList(1, differing.size()));
    }

    /** The seed, session, statement index, both outcomes and the session's statements up to this one. */
    public String report() {
        String statement = index < plan.steps().size() ? plan.steps().get(index).replayLine() : "(after the last statement)";
        return "seed " + seed + ", session " + plan.session() + ", statement " + index + ": " + statement + "\n"
                + (later.isEmpty() ? "" : "(later statements that differ too: " + later + ")\n")
                + "--- direct:\n" + indent(direct) + "\n--- through the proxy:\n" + indent(proxied) + "\n"
                + "--- session " + plan.session() + " up to statement " + index + ":\n" + plan.replay(index + 1);
    }

    private static String indent(Outcome outcome) {
        return "    " + outcome.toString().replace("\n", "\n    ");
    }
}
