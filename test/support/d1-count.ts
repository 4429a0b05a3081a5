// A D1 binding that counts what reaches D1: statements, and round trips (a batch is one trip). Sessions
// opened on it (the Sessions API) count into the same tally.
export interface D1Tally {
  /** Statements run, each statement of a batch counted. */
  queries: number;
  /** Round trips: one per statement run alone, one per batch. */
  trips: number;
  /** The SQL of each trip (a batch's first statement), for a failing test's message. */
  log: string[];
}

export function countingD1(real: D1Database): { db: D1Database; tally: D1Tally } {
  const tally: D1Tally = { queries: 0, trips: 0, log: [] };
  const sqlOf = new WeakMap<object, string>();
  const originals = new WeakMap<object, D1PreparedStatement>();
  const statement = (st: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(st, {
      get(target, key) {
        if (key === "bind") {
          return (...args: unknown[]) => {
            const bound = statement(target.bind(...args));
            sqlOf.set(bound, sqlOf.get(proxy) ?? "");
            return bound;
          };
        }
        if (key === "all" || key === "first" || key === "run" || key === "raw") {
          tally.queries++;
          tally.trips++;
          tally.log.push(sqlOf.get(proxy) ?? "");
        }
        const v = Reflect.get(target, key);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    originals.set(proxy, st);
    return proxy;
  };
  const wrap = (db: D1Database | D1DatabaseSession): D1Database =>
    ({
      prepare: (sql: string) => {
        const st = statement(db.prepare(sql));
        sqlOf.set(st, sql);
        return st;
      },
      batch: (sts: D1PreparedStatement[]) => {
        tally.queries += sts.length;
        tally.trips++;
        tally.log.push(`batch of ${sts.length}: ${sqlOf.get(sts[0] as object) ?? ""}`);
        return db.batch(sts.map((st) => originals.get(st) ?? st));
      },
      withSession: (constraint?: string) => wrap((db as D1Database).withSession(constraint)),
      getBookmark: () => (db as D1DatabaseSession).getBookmark(),
    }) as unknown as D1Database;
  return { db: wrap(real), tally };
}
