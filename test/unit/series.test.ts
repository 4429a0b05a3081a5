// シリーズ予約 / 読みたい順: which volume of an in-order series is applied next (domain/series.ts).
import { describe, expect, it } from "vitest";
import type { ReservationStatus } from "../../src/domain/codes";
import { nextInOrder, SERIES_MAX_ITEMS, SERIES_MODES, type SeriesItemState } from "../../src/domain/series";

const waiting: SeriesItemState = { status: null, skipped: false };
const skipped: SeriesItemState = { status: null, skipped: true };
const made = (status: ReservationStatus): SeriesItemState => ({ status, skipped: false });

const FINISHED: ReservationStatus[] = ["fulfilled", "cancelled", "application_cancelled", "rejected", "expired"];
const ACTIVE: ReservationStatus[] = ["applied", "reserved", "cancel_requested", "on_hold"];

describe("the series' constants", () => {
  it("has two modes, in_order and together, and at most 20 items", () => {
    expect([...SERIES_MODES]).toEqual(["in_order", "together"]);
    expect(SERIES_MAX_ITEMS).toBe(20);
  });
});

describe("nextInOrder", () => {
  it("a new series: the first item", () => {
    expect(nextInOrder([waiting, waiting, waiting])).toBe(0);
  });

  it("no items: undefined", () => {
    expect(nextInOrder([])).toBeUndefined();
  });

  it.each(FINISHED)("the one before %s: the next one is due", (status) => {
    expect(nextInOrder([made(status), waiting, waiting])).toBe(1);
  });

  it.each(ACTIVE)("the one before still %s: nothing is due", (status) => {
    expect(nextInOrder([made(status), waiting, waiting])).toBeUndefined();
  });

  it.each(ACTIVE)("an earlier finished one and a later one still %s: nothing is due", (status) => {
    expect(nextInOrder([made("fulfilled"), made(status), waiting])).toBeUndefined();
  });

  it("several finished ones, of different kinds: the first not yet applied", () => {
    expect(nextInOrder([made("fulfilled"), made("expired"), made("cancelled"), waiting, waiting])).toBe(3);
    expect(nextInOrder([made("rejected"), made("application_cancelled"), waiting])).toBe(2);
  });

  it("skipped items are passed: the first one after them that waits", () => {
    expect(nextInOrder([made("fulfilled"), skipped, waiting])).toBe(2);
    expect(nextInOrder([skipped, waiting])).toBe(1);
    expect(nextInOrder([skipped, skipped, made("fulfilled"), skipped, waiting, waiting])).toBe(4);
  });

  it("a skipped item does not stop the series the way an active one does", () => {
    expect(nextInOrder([skipped, made("applied"), waiting])).toBeUndefined();
    expect(nextInOrder([made("on_hold"), skipped, waiting])).toBeUndefined();
  });

  it("everything applied (finished or not): undefined", () => {
    expect(nextInOrder([made("fulfilled"), made("fulfilled"), made("expired")])).toBeUndefined();
    expect(nextInOrder([made("fulfilled"), made("fulfilled"), made("applied")])).toBeUndefined();
  });

  it("everything skipped, or the rest skipped: undefined", () => {
    expect(nextInOrder([skipped, skipped])).toBeUndefined();
    expect(nextInOrder([made("fulfilled"), skipped, skipped])).toBeUndefined();
  });

  it("the last item is due once every one before it is finished", () => {
    const items = [...FINISHED.map(made), waiting];
    expect(nextInOrder(items)).toBe(FINISHED.length);
  });

  it("does not change the items it is given", () => {
    const items = [made("fulfilled"), skipped, waiting];
    const copy = structuredClone(items);
    nextInOrder(items);
    expect(items).toEqual(copy);
  });
});
