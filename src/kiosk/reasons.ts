/**
 * The kiosk's reasons, precise, as the log keeps them. The screen words each one for the person at the kiosk
 * (src/tui/patronWords.ts, whose test fails for a reason added here without a sentence there).
 */

export const KIOSK_REASONS = {
  doubleRead: 'double read ignored',
  cardFirst: 'scan your library card first',
  alreadyLoaned: "already on this patron's list",
  beingSaved: 'already being saved for this patron',
  returnModePatron: 'this is return mode: just scan the items to return',
  noSession: 'no session to end',
  patronBlocked: 'card blocked or inactive on the patron list: please see staff',
  patronExpired: 'card expired on the patron list: please see staff',
  patronUnknown: 'card not on the patron list: please see staff',
  nothingToAdmit: 'no refused card to admit',
  sessionLimit: (limit: number) => `over the limit of ${limit} item(s) per visit: nothing written`,
  dayLimit: (limit: number) => `over the limit of ${limit} item(s) per patron per day: nothing written`,
  outOfService: (reason: string) => `out of service: ${reason}`,
  notSaved: (kind: 'loan' | 'return', reason: string) =>
    `this ${kind} was NOT saved (${reason}): scan the item again when the kiosk is back in service, or see staff`,
} as const;
