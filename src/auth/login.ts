// Checking a card number and password: throttled per card (the patron's Durable Object), per client
// address, per tried password and globally; a wrong card number and a wrong password take the same work
// and get the same answer.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { patrons } from "../db/schema";
import { POLICIES } from "../domain/throttle";
import { patronObject } from "../objects/patron";
import { verifyPassword } from "./password";
import { countAttempt, currentWait, type ThrottleKey, uncountAttempt } from "./throttle-store";
import { keyedHash } from "./tokens";

/** A well-formed hash nobody's password matches: unknown cards cost one PBKDF2 run like known ones. */
const DUMMY_HASH = "pbkdf2-sha256$100000$8finYbuvFdu2gB20ZMNcpQ==$hyEXtHuLyvN5+ht+PVS89Al9r42vwTmxUpwPKrUFz4E=";

export interface LoginPatron {
  id: number;
  cardNumber: string;
  mustChangeCredentials: boolean;
}

export type LoginOutcome =
  | { ok: true; patron: LoginPatron }
  | { ok: false; kind: "invalid" }
  | { ok: false; kind: "throttled"; retryAfter: number };

export interface LoginAttempt {
  cardNumber: string;
  password: string;
  /** The client's address (CF-Connecting-IP). */
  address: string;
  now: number;
}

async function throttleKeys(env: Env, attempt: LoginAttempt): Promise<ThrottleKey[]> {
  return [
    { key: `address:${attempt.address}`, policy: POLICIES.address },
    // A keyed hash: the tried password is counted, never stored.
    { key: `password:${await keyedHash(env.PASSWORD_PEPPER, attempt.password)}`, policy: POLICIES.password },
    { key: "global", policy: POLICIES.global },
  ];
}

export async function authenticate(env: Env, db: Db, attempt: LoginAttempt): Promise<LoginOutcome> {
  const card = patronObject(env, attempt.cardNumber);
  const keys = await throttleKeys(env, attempt);
  // Every attempt is counted before the password is checked (and given back on success), so a burst of
  // concurrent guesses meets the same limits as guesses one after another.
  const cardWait = await card.beginAttempt(attempt.now);
  if (cardWait > 0) return { ok: false, kind: "throttled", retryAfter: cardWait };
  const refused = await countAttempt(env.DB, keys, attempt.now);
  if (refused.length > 0) {
    const counted = keys.filter((k) => !refused.includes(k));
    await uncountAttempt(env.DB, counted);
    return { ok: false, kind: "throttled", retryAfter: Math.max(1, await currentWait(db, refused, attempt.now)) };
  }

  const [row] = await db.select().from(patrons).where(eq(patrons.cardNumber, attempt.cardNumber)).limit(1);
  const matches = await verifyPassword(attempt.password, row?.passwordHash ?? DUMMY_HASH, env.PASSWORD_PEPPER);
  if (!row || !matches || !row.webEnabled || row.suspended) return { ok: false, kind: "invalid" };
  await Promise.all([card.loginSucceeded(), uncountAttempt(env.DB, keys)]);
  return { ok: true, patron: { id: row.id, cardNumber: row.cardNumber, mustChangeCredentials: row.mustChangeCredentials } };
}
