// One Durable Object per patron (named by card number). It serialises every change to the patron's
// quota — web applications, the single-item API, counter reservations and cancellations — and keeps the
// exact count of failed logins for the card.
import { DurableObject } from "cloudflare:workers";
import { addFailure, type FailureCount, POLICIES, waitSeconds } from "../domain/throttle";
import { type ApplyInput, type ApplyOutcome, applyReservations } from "../reservations/apply";
import { type CancelResult, cancelReservations } from "../reservations/cancel";

const LOGIN_KEY = "login-failures";

export class PatronObject extends DurableObject<Env> {
  /** The tail of the in-object queue: D1 calls are outside I/O, so without it two calls would interleave. */
  private tail: Promise<unknown> = Promise.resolve();

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Starts a password check for the card: the wait it must first sit out, or 0 and the attempt is
   * counted as a failure right away, in one serial step, so concurrent guesses cannot all slip past
   * the count. A success clears it (loginSucceeded).
   */
  async beginAttempt(now: number): Promise<number> {
    return this.serially(async () => {
      const previous = await this.ctx.storage.get<FailureCount>(LOGIN_KEY);
      const wait = waitSeconds(previous, now, POLICIES.card);
      if (wait > 0) return wait;
      await this.ctx.storage.put(LOGIN_KEY, addFailure(previous, now, POLICIES.card));
      return 0;
    });
  }

  /** The wait the card asks for now, without counting anything. */
  async currentWait(now: number): Promise<number> {
    return waitSeconds(await this.ctx.storage.get<FailureCount>(LOGIN_KEY), now, POLICIES.card);
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
