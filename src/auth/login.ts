// Checking a card number and password: throttled per client address, per tried password (library-wide,
// against spraying) and per card (the patron's Durable Object); a wrong card number and a wrong password
// take the same work and get the same answer.

import { eq } from "drizzle-orm";
import { pepperOf } from "../config";
import type { Db } from "../db/client";
import { patrons } from "../db/schema";
import { brakeMs, POLICIES } from "../domain/throttle";
import { patronObject } from "../objects/patron";
import { addressGroup } from "./address";
import { verifyPassword } from "./password";
import { countAttempt, countGlobalFailure, currentWait, type ThrottleKey, uncountAttempt } from "./throttle-store";
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
    { key: `address:${addressGroup(attempt.address)}`, policy: POLICIES.address },
    // A keyed hash with its own label, so the stored key is never the value PBKDF2 starts from.
    {
      key: `password:${await keyedHash(pepperOf(env), `login-throttle\u0000${attempt.password}`)}`,
      policy: POLICIES.password,
    },
  ];
}

export async function authenticate(env: Env, db: Db, attempt: LoginAttempt): Promise<LoginOutcome> {
  const card = patronObject(env, attempt.cardNumber);
  const keys = await throttleKeys(env, attempt);
  // Every attempt is counted before the password is checked (and given back on success), so a burst of
  // concurrent guesses meets the same limits as guesses one after another. The address and password
  // limits come first: a refused address cannot push any card's count up.
  const refused = await countAttempt(env.DB, keys, attempt.now);
  if (refused.length > 0) {
    await uncountAttempt(
      env.DB,
      keys.filter((k) => !refused.includes(k)),
    );
    return { ok: false, kind: "throttled", retryAfter: Math.max(1, await currentWait(db, refused, attempt.now)) };
  }
  const cardWait = await card.beginAttempt(attempt.now);
  if (cardWait > 0) {
    await uncountAttempt(env.DB, keys);
    return { ok: false, kind: "throttled", retryAfter: cardWait };
  }

  const [row] = await db.select().from(patrons).where(eq(patrons.cardNumber, attempt.cardNumber)).limit(1);
  const matches = await verifyPassword(attempt.password, row?.passwordHash ?? DUMMY_HASH, pepperOf(env));
  if (!row || !matches || !row.webEnabled || row.suspended) {
    // The library-wide brake: under a wave of failures, every failure waits before its answer.
    const pause = brakeMs(await countGlobalFailure(env.DB, attempt.now));
    if (pause > 0) await scheduler.wait(pause);
    return { ok: false, kind: "invalid" };
  }
  await Promise.all([card.loginSucceeded(), uncountAttempt(env.DB, keys)]);
  return { ok: true, patron: { id: row.id, cardNumber: row.cardNumber, mustChangeCredentials: row.mustChangeCredentials } };
}
