/**
 * offcirc's tables in PostgreSQL, schema `offcirc`, created and upgraded by numbered migrations: each
 * runs once, in a transaction, under an advisory lock (two collectors starting at once don't race), and
 * is recorded in `offcirc.migrations`. Running them again changes nothing.
 *
 * Least privilege: a station logs in as a role named like the station, member of `offcirc_station`.
 * That group may insert lines and read back only their key and text, and keep its status row; row-level
 * security limits both to rows whose `station` is the role's own name. It can't update or delete a line,
 * set a line's batch, or see batches, settings or other stations. The collector runs as the tables' owner.
 */
import type pg from 'pg';

export const STATION_GROUP = 'offcirc_station';
/** Any fixed number: the advisory lock all migrating processes take. */
const LOCK_KEY = 0x0ff_c12c;

const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'lines, stations, batches, settings; the station role',
    sql: `
CREATE TABLE offcirc.lines (
  station     text NOT NULL,
  generation  integer NOT NULL CHECK (generation > 0),
  line        integer NOT NULL CHECK (line > 0),
  desk        text NOT NULL,
  library     text,
  stamp       char(12) NOT NULL CHECK (stamp ~ '^[0-9]{12}$'),
  kind        char(1) NOT NULL CHECK (kind IN ('L', 'R')),
  item        text NOT NULL,
  patron      text,
  record      text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  batch       bigint,
  PRIMARY KEY (station, generation, line)
);
CREATE INDEX lines_waiting ON offcirc.lines (desk, station, generation, line) WHERE batch IS NULL;
CREATE INDEX lines_batch ON offcirc.lines (batch) WHERE batch IS NOT NULL;

CREATE TABLE offcirc.stations (
  station     text PRIMARY KEY,
  desk        text,
  library     text,
  in_service  boolean NOT NULL,
  reason      text,
  scanners    jsonb NOT NULL DEFAULT '[]',
  last_scan   timestamptz,
  lines_today integer NOT NULL DEFAULT 0,
  behind      integer NOT NULL DEFAULT 0,
  forward     text,
  heard_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE offcirc.batches (
  id          bigserial PRIMARY KEY,
  desk        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL DEFAULT current_user,
  lines       integer NOT NULL,
  loans       integer NOT NULL,
  returns     integer NOT NULL,
  content     bytea NOT NULL,
  sha256      text NOT NULL,
  uploaded_at timestamptz,
  uploaded_by text
);
ALTER TABLE offcirc.lines ADD FOREIGN KEY (batch) REFERENCES offcirc.batches (id);

CREATE TABLE offcirc.settings (name text PRIMARY KEY, value text NOT NULL);

DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${STATION_GROUP}') THEN
    CREATE ROLE ${STATION_GROUP} NOLOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA offcirc TO ${STATION_GROUP};
GRANT SELECT ON offcirc.migrations TO ${STATION_GROUP};
GRANT SELECT (station, generation, line, record),
      INSERT (station, generation, line, desk, library, stamp, kind, item, patron, record)
  ON offcirc.lines TO ${STATION_GROUP};
GRANT SELECT, INSERT, UPDATE ON offcirc.stations TO ${STATION_GROUP};

ALTER TABLE offcirc.lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_lines ON offcirc.lines TO ${STATION_GROUP}
  USING (station = current_user) WITH CHECK (station = current_user AND batch IS NULL);
ALTER TABLE offcirc.stations ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_status ON offcirc.stations TO ${STATION_GROUP}
  USING (station = current_user) WITH CHECK (station = current_user);
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** The version the database is at: 0 when offcirc's tables aren't there (or can't be seen). */
export async function schemaVersion(client: pg.Client): Promise<number> {
  const found = await client.query<{ exists: boolean }>(
    "SELECT to_regclass('offcirc.migrations') IS NOT NULL AS exists",
  );
  if (!found.rows[0]?.exists) return 0;
  const result = await client.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM offcirc.migrations',
  );
  return result.rows[0]?.version ?? 0;
}

/** Applies the migrations not yet applied; returns the versions applied now (empty when up to date). */
export async function migrate(client: pg.Client): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query('CREATE SCHEMA IF NOT EXISTS offcirc');
    await client.query(
      `CREATE TABLE IF NOT EXISTS offcirc.migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM offcirc.migrations')).rows.map(
        (r) => r.version,
      ),
    );
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO offcirc.migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return applied;
}

/** Station names are role names: the same characters the config allows for `station`. */
export const STATION_NAME = /^[A-Za-z0-9._-]{1,40}$/;

/**
 * Creates (or updates the password of) the login role of one station, a member of the station group.
 * Cluster-wide, as roles are in PostgreSQL.
 */
export async function addStationRole(client: pg.Client, station: string, password: string): Promise<void> {
  if (!STATION_NAME.test(station))
    throw new Error(`station name ${JSON.stringify(station)}: expected letters, digits, ".", "_" or "-"`);
  const role = client.escapeIdentifier(station);
  const secret = client.escapeLiteral(password);
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [station]);
  if (exists.rowCount === 0) await client.query(`CREATE ROLE ${role} LOGIN PASSWORD ${secret}`);
  else await client.query(`ALTER ROLE ${role} LOGIN PASSWORD ${secret}`);
  await client.query(`GRANT ${STATION_GROUP} TO ${role}`);
}
