package io.switchyard.server.it.diff;

import java.util.List;

/**
 * The first statement of a session whose outcome through the proxy differs from its outcome on
 * the direct server, with what is needed to replay it.
 *
 * <p>Immutable.
 */
public record Difference(long seed, SessionPlan plan, int index, Outcome direct, Outcome proxied) {

    /** The first difference between two sessions' outcomes, or null if they are the same. */
    public static Difference first(long seed, SessionPlan plan, List<Outcome> direct, List<Outcome> proxied) {
        int common = Math.min(direct.size(), proxied.size());
        for (int i = 0; i < common; i++) {
            if (!direct.get(i).equals(proxied.get(i))) {
                return new Difference(seed, plan, i, direct.get(i), proxied.get(i));
            }
        }
        if (direct.size() != proxied.size()) {
            Outcome missing = new Outcome(List.of("(no outcome: the session ended)"));
            return new Difference(seed, plan, common, common < direct.size() ? direct.get(common) : missing,
                    common < proxied.size() ? proxied.get(common) : missing);
        }
        return null;
    }

    /** The seed, session, statement index, both outcomes and the session's statements up to this one. */
    public String report() {
        String statement = index < plan.steps().size() ? plan.steps().get(index).replayLine() : "(after the last statement)";
        return "seed " + seed + ", session " + plan.session() + ", statement " + index + ": " + statement + "\n"
                + "--- direct:\n" + indent(direct) + "\n--- through the proxy:\n" + indent(proxied) + "\n"
                + "--- session " + plan.session() + " up to statement " + index + ":\n" + plan.replay(index + 1);
    }

    private static String indent(Outcome outcome) {
        return "    " + outcome.toString().replace("\n", "\n    ");
    }
}
