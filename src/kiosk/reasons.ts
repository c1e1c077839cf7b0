/** The kiosk's reasons, in the words shown to the person at the kiosk (and written to the log). */

export const KIOSK_REASONS = {
  doubleRead: 'double read ignored',
  cardFirst: 'scan your library card first',
  alreadyLoaned: "already on this patron's list",
  beingSaved: 'already being saved for this patron',
  returnModePatron: 'this is return mode: just scan the items to return',
  noSession: 'no session to end',
  outOfService: (reason: string) => `out of service: ${reason}`,
  notSaved: (kind: 'loan' | 'return', reason: string) =>
    `this ${kind} was NOT saved (${reason}): scan the item again when the kiosk is back in service, or see staff`,
} as const;
