// May a material be reserved: not the latest magazine issue, not 禁帯出-only, not without a copy that can be lent.
import { describe, expect, it } from "vitest";
import type { ItemStatus } from "../../src/domain/codes";
import { copyCounts, NOT_RESERVABLE_MESSAGES, reservability } from "../../src/domain/reservability";

type Copy = { status: ItemStatus; loanable: boolean };
const copy = (status: ItemStatus, loanable = true): Copy => ({ status, loanable });
const of = (copies: Copy[], latestIssue = false) => reservability({ latestIssue, ...copyCounts(copies) });

describe("copyCounts", () => {
  it("counts copies that are not missing, damaged or withdrawn as usable, and the lendable ones among them", () => {
    expect(
      copyCounts([
        copy("available"),
        copy("on_loan"),
        copy("available", false),
        copy("missing"),
        copy("damaged"),
        copy("withdrawn"),
      ]),
    ).toEqual({ usableCopies: 3, lendableCopies: 2 });
  });

  it("counts nothing for a material without copies", () => {
    expect(copyCounts([])).toEqual({ usableCopies: 0, lendableCopies: 0 });
  });

  it("does not count a lendable copy that is lost as lendable", () => {
    expect(copyCounts([copy("missing", true), copy("damaged", true)])).toEqual({ usableCopies: 0, lendableCopies: 0 });
  });
});

describe("reservability", () => {
  it("refuses the latest issue of a magazine, even with copies on the shelf", () => {
    expect(of([copy("available"), copy("available")], true)).toEqual({ reservable: false, reason: "latest_issue" });
  });

  it("says latest_issue before anything else, also when the copies are 禁帯出 or lost", () => {
    expect(of([copy("available", false)], true)).toEqual({ reservable: false, reason: "latest_issue" });
    expect(of([], true)).toEqual({ reservable: false, reason: "latest_issue" });
  });

  it("refuses material whose every copy is 禁帯出 as reading_room_only", () => {
    expect(of([copy("available", false), copy("on_loan", false)])).toEqual({ reservable: false, reason: "reading_room_only" });
  });

  it("refuses material whose only copies are missing, damaged or withdrawn as no_loanable_item", () => {
    expect(of([copy("missing"), copy("damaged"), copy("withdrawn")])).toEqual({
      reservable: false,
      reason: "no_loanable_item",
    });
  });

  it("refuses material with no copies at all as no_loanable_item", () => {
    expect(of([])).toEqual({ reservable: false, reason: "no_loanable_item" });
  });

  it("says no_loanable_item, not reading_room_only, when the only 禁帯出 copies are lost too", () => {
    expect(of([copy("missing", false), copy("damaged")])).toEqual({ reservable: false, reason: "no_loanable_item" });
  });

  it.each<ItemStatus>(["available", "on_loan", "on_hold", "in_transit", "processing"])(
    "accepts material whose one lendable copy is %s: a copy that will come back can satisfy a reservation",
    (status) => {
      expect(of([copy(status)])).toEqual({ reservable: true });
    },
  );

  it("accepts a back issue of a magazine with a lendable copy", () => {
    expect(reservability({ latestIssue: false, usableCopies: 1, lendableCopies: 1 })).toEqual({ reservable: true });
  });

  it("accepts material with one lendable copy beside 禁帯出 and lost ones", () => {
    expect(of([copy("available", false), copy("missing"), copy("on_loan")])).toEqual({ reservable: true });
  });

  it("has a Japanese message for every reason", () => {
    for (const reason of ["latest_issue", "reading_room_only", "no_loanable_item"] as const) {
      expect(NOT_RESERVABLE_MESSAGES[reason]).toMatch(/予約できません/);
    }
  });
});
