/**
 * What the kiosk consults about patrons, assembled from the config for app.ts: the patron list (reloaded
 * when a new one is imported), the policy for each standing, the limits with today's loans per patron
 * (seeded at start from what this station wrote today), and the due-date rule. Wiring only.
 */
import type { Config } from '../config/schema.js';
import { createDueRule } from '../kiosk/due.js';
import type { KioskOptions } from '../kiosk/kiosk.js';
import { DayLoans } from '../kiosk/limits.js';
import type { Log } from '../log.js';
import { loansTodayByPatron } from './loans-today.js';
import { PatronListWatch, patronListPath } from './watch.js';

export class PatronData {
  private readonly list: PatronListWatch;
  private dayLoans: DayLoans;

  /** No I/O. */
  constructor(
    private readonly config: Config,
    private readonly journalPath: string,
    log: Log,
    private readonly now: () => number,
  ) {
    this.list = new PatronListWatch({ file: patronListPath(config.patrons.list, journalPath), log });
    this.dayLoans = new DayLoans(now());
  }

  /** The kiosk's patron options; the day's loans are read through this object, seeded by start(). */
  kioskOptions(): Pick<KioskOptions, 'patrons' | 'policies' | 'limits' | 'dayLoans' | 'dueDate'> {
    const { patrons, limits, loans, barcodes } = this.config;
    return {
      patrons: this.list,
      policies: { blocked: patrons.blocked, expired: patrons.expired, unknown: patrons.unknown },
      limits,
      dayLoans: {
        count: (patron, at) => this.dayLoans.count(patron, at),
        add: (patron, at) => this.dayLoans.add(patron, at),
      },
      dueDate: createDueRule({ days: loans.days, closed: loans.closed, items: barcodes.item }),
    };
  }

  /** Loads the list and, where a day limit is set, today's loans per patron, before the first scan. */
  async start(): Promise<void> {
    await this.list.start();
    if (this.config.limits.itemsPerPatronPerDay === undefined) return;
    const at = this.now();
    this.dayLoans = new DayLoans(at, await loansTodayByPatron(this.journalPath, this.config.station, at));
  }

  async stop(): Promise<void> {
    await this.list.stop();
  }
}
