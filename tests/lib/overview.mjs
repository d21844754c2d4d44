// What the console's overview should say, computed from the export's
// states independently of the Worker's Rust: where each subscriber stands
// on each list (the same rules /v1/check applies: erasure, then a
// withdrawal covering the list, then pending, then a pause), and the counts
// the overview's `data-count` cells carry.

const SUPPRESSION = ["bounce", "complaint", "manual"];

/** Whether withdrawal `w` stops all mail of `list`. */
const stopsList = (w, list) => (w.scope === "all" && !(w.except ?? []).includes(list)) || (w.scope === "list" && w.list === list);

/** The withdrawal stopping `list`, the earliest. */
function stopper(state, list) {
  const found = (state.withdrawals ?? []).filter((w) => stopsList(w, list));
  return found.sort((a, b) => a.at - b.at)[0];
}

/** `{list: standing}` of one exported state at `now`. */
export function standings(state, now) {
  const out = {};
  for (const [list, l] of Object.entries(state?.lists ?? {})) {
    const stop = stopper(state, list);
    let s;
    if (state.erased) s = "erased";
    else if (stop) s = SUPPRESSION.includes(stop.via) ? "suppressed" : "unsubscribed";
    else if (l.status === "unsubscribed") s = SUPPRESSION.includes(l.exit?.via) ? "suppressed" : "unsubscribed";
    else if (l.status === "pending") s = "pending";
    else if (!l.consent) continue;
    else if (l.paused_until && now < l.paused_until) s = "paused";
    // "stale" (consent older than consent_max_age_days, a year on the
    // sample's updates list) cannot happen to a consent given in this run;
    // the property tests in crates/core/tests/console_overview.rs count it.
    else s = "active";
    out[list] = s;
  }
  return out;
}

const withdrawn = (state, list, key, value) =>
  (state.withdrawals ?? []).some((w) => w.scope === key && w.list === list && w[key] === value);

/** The counts the overview must show for these states at `now`. */
export function countsOf(states, now) {
  const counts = {};
  const add = (key, n = 1) => (counts[key] = (counts[key] ?? 0) + n);
  for (const state of states) {
    add("all.withdrawn", (state.withdrawals ?? []).some((w) => w.scope === "all") ? 1 : 0);
    add("all.erased", state.erased ? 1 : 0);
    for (const [list, s] of Object.entries(standings(state, now))) {
      for (const other of ["active", "pending", "paused", "stale", "unsubscribed", "suppressed", "erased"]) add(`${list}.${other}`, 0);
      add(`${list}.${s}`);
      const l = state.lists[list];
      if (s === "active") {
        for (const t of l.topics ?? []) if (!withdrawn(state, list, "topic", t)) add(`${list}.topic.${t}`);
        if (l.frequency && !withdrawn(state, list, "frequency", l.frequency)) add(`${list}.frequency.${l.frequency}`);
      }
      if (["unsubscribed", "suppressed", "erased"].includes(s)) {
        const stop = stopper(state, list);
        const via = state.erased ? "erasure" : (stop?.via ?? l.exit?.via);
        add(`${list}.via.${via}`);
        if (state.reason) add(`${list}.reason.${state.reason}`);
      }
    }
  }
  return counts;
}
