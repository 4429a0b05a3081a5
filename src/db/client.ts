// A Drizzle client over the request's D1 session; create one per request.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** What queries need of D1: the binding itself (jobs, consumers) or a request's read-replica session. */
export type D1 = Pick<D1Database, "prepare" | "batch">;

// Drizzle's D1 driver calls only prepare() and batch(), which a session has too.
export const createDb = (d1: D1) => drizzle(d1 as D1Database, { schema });
export type Db = ReturnType<typeof createDb>;

/** A result with the bookmark of the writes that made it (for the caller's next reads). */
export interface Bookmarked<T> {
  value: T;
  bookmark: string | null;
}

/** Runs work in a session on the primary and hands back its bookmark (Durable Objects, for the request that asked). */
export async function onPrimary<T>(db: D1Database, work: (session: D1) => Promise<T>): Promise<Bookmarked<T>> {
  const session = db.withSession("first-primary");
  const value = await work(session);
  return { value, bookmark: session.getBookmark() };
}
