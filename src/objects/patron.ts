// One Durable Object per patron (named by card number). It serialises every change to the patron's
// quota — web applications, the single-item API, cancellations, and later counter reservations — and
// keeps the exact count of failed logins for the card.
import { DurableObject } from "cloudflare:workers";
import { addFailure, type FailureCount, POLICIES, waitSeconds } from "../domain/throttle";
import {
  type ApplyInput,
  type ApplyOutcome,
  applyReservations,
  type CancelResult,
  cancelReservations,
} from "../features/reservations/commands";

const LOGIN_KEY = "login-failures";

export class PatronObject extends DurableObject<Env> {
  /** The tail of the in-object queue: D1 calls are outside I/O, so without it two calls would interleave. */
  private tail: Promise<unknown> = Promise.resolve();

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Seconds the card must wait before another login try (0: allowed now). */
  async loginWait(now: number): Promise<number> {
    return waitSeconds(await this.ctx.storage.get<FailureCount>(LOGIN_KEY), now, POLICIES.card);
  }

  /** Counts a failed login for the card; returns the wait it now asks for. */
  async loginFailed(now: number): Promise<number> {
    return this.serially(async () => {
      const count = addFailure(await this.ctx.storage.get<FailureCount>(LOGIN_KEY), now, POLICIES.card);
      await this.ctx.storage.put(LOGIN_KEY, count);
      return waitSeconds(count, now, POLICIES.card);
    });
  }

  async loginSucceeded(): Promise<void> {
    await this.serially(() => this.ctx.storage.delete(LOGIN_KEY));
  }

  apply(input: ApplyInput): Promise<ApplyOutcome> {
    return this.serially(() => applyReservations(this.env.DB, input));
  }

  cancel(patronId: number, ids: number[], now: number): Promise<CancelResult[]> {
    return this.serially(() => cancelReservations(this.env.DB, patronId, ids, now));
  }
}

/** The patron's object, by card number (the same card always reaches the same object). */
export const patronObject = (env: Env, cardNumber: string) => env.PATRON.get(env.PATRON.idFromName(cardNumber));
