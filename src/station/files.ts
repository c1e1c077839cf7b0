/** The station's files beside the journal, named in one place. */

/** The station's state (mode, today's counts, rotations), beside the journal it belongs to. */
export const stateFile = (journalPath: string): string => `${journalPath}.state.json`;
