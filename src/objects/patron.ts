// One Durable Object per patron (named by card number). It serialises every change a patron makes to
// their reservations and loans — web applications, the single-item API, counter reservations,
// cancellations, pickup/suspension changes, hold extensions and renewals — and keeps the exact count of
// failed logins for the card.
import { DurableObject } from "cloudflare:workers";
import { type Bookmarked, onPrimary } from "../db/client";
import { addFailure, type FailureCount, POLICIES, waitSeconds } from "../domain/throttle";
import { type ApplyInput, type ApplyOutcome, applyReservations } from "../reservations/apply";
import { type CancelResult, cancelReservations } from "../reservations/cancel";
import { type RenewOutcome, renewLoan } from "../reservations/loans";
import {
  type ChangeOutcome,
  changeReservation,
  type ExtendOutcome,
  extendHold,
  type ReservationPatch,
} from "../reservations/patron-changes";
import { advanceSeries, stopSeries } from "../reservations/series";

const LOGIN_KEY = "login-failures";

/** When a card's failure count is forgotten (a quiet period after its last failure). */
const forgetAt = (count: FailureCount) => count.lastFailureAt + POLICIES.card.forgetAfterSeconds * 1000 + 1000;

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
      const count = addFailure(previous, now, POLICIES.card);
      await this.ctx.storage.put(LOGIN_KEY, count);
      // The count is forgotten after a quiet hour: an alarm then deletes it, so a guessed card number
      // (known or not) leaves nothing behind that grows without bound.
      await this.ctx.storage.setAlarm(forgetAt(count));
      return 0;
    });
  }

  /** After the quiet period the count goes, and with it everything this object stored. */
  override async alarm(): Promise<void> {
    await this.serially(async () => {
      const count = await this.ctx.storage.get<FailureCount>(LOGIN_KEY);
      if (count && forgetAt(count) > Date.now()) {
        await this.ctx.storage.setAlarm(forgetAt(count));
        return;
      }
      await this.ctx.storage.deleteAll();
    });
  }

  /** The wait the card asks for now, without counting anything. */
  async currentWait(now: number): Promise<number> {
    return waitSeconds(await this.ctx.storage.get<FailureCount>(LOGIN_KEY), now, POLICIES.card);
  }

  async loginSucceeded(): Promise<void> {
    await this.serially(async () => {
      await this.ctx.storage.delete(LOGIN_KEY);
      await this.ctx.storage.deleteAlarm();
    });
  }

  // Each with the bookmark of its writes, so the patron's next page reads them even from a replica.
  apply(input: ApplyInput): Promise<Bookmarked<ApplyOutcome>> {
    return this.serially(() => onPrimary(this.env.DB, (db) => applyReservations(db, input)));
  }

  /** 取消実行; a cancelled volume of an in-order series lets its next one be applied at once. */
  cancel(patronId: number, ids: number[], now: number, limit: number): Promise<Bookmarked<CancelResult[]>> {
    return this.serially(() =>
      onPrimary(this.env.DB, async (db) => {
        const results = await cancelReservations(db, patronId, ids, now);
        if (results.some((r) => r.ok)) await advanceSeries(db, patronId, { now, limit });
        return results;
      }),
    );
  }

  /** The next volume of the patron's in-order series whose turn has come (after a creation, at night). */
  advanceSeries(patronId: number, at: { now: number; limit: number }): Promise<Bookmarked<number[]>> {
    return this.serially(() => onPrimary(this.env.DB, (db) => advanceSeries(db, patronId, at)));
  }

  stopSeries(patronId: number, seriesId: number, now: number): Promise<Bookmarked<"stopped" | "not_found">> {
    return this.serially(() => onPrimary(this.env.DB, (db) => stopSeries(db, patronId, seriesId, now)));
  }

  change(
    patronId: number,
    reservationId: number,
    patch: ReservationPatch,
    at: { today: string; now: number },
  ): Promise<Bookmarked<ChangeOutcome>> {
    return this.serially(() => onPrimary(this.env.DB, (db) => changeReservation(db, patronId, reservationId, patch, at)));
  }

  extendHold(
    patronId: number,
    reservationId: number,
    at: { extendDays: number; today: string; now: number },
  ): Promise<Bookmarked<ExtendOutcome>> {
    return this.serially(() => onPrimary(this.env.DB, (db) => extendHold(db, patronId, reservationId, at)));
  }

  /** 貸出延長 of one or more loans, each on its own (renew all answers per item). */
  renew(
    patronId: number,
    itemIds: number[],
    at: { today: string; loanDays: number; now: number },
  ): Promise<Bookmarked<RenewOutcome[]>> {
    return this.serially(() =>
      onPrimary(this.env.DB, async (db) => {
        const out: RenewOutcome[] = [];
        for (const itemId of itemIds) out.push(await renewLoan(db, { patronId, itemId, ...at }));
        return out;
      }),
    );
  }
}

/** The patron's object, by card number (the same card always reaches the same object). */
export const patronObject = (env: Env, cardNumber: string) => env.PATRON.get(env.PATRON.idFromName(cardNumber));
