// ISBN as patrons type it (ISBN-10 or -13, hyphens, spaces, full width) and as the detail page shows it.
import { describe, expect, it } from "vitest";
import { formatIsbn, toIsbn13 } from "../../src/domain/isbn";

describe("toIsbn13", () => {
  it.each([
    ["9784003101018", "9784003101018"],
    ["978-4-00-310101-8", "9784003101018"],
    ["978 4 00 310101 8", "9784003101018"],
    [" 978-4-00-310101-8 ", "9784003101018"],
    ["4003101014", "9784003101018"],
    ["4-00-310101-4", "9784003101018"],
    ["９７８４００３１０１０１８", "9784003101018"],
    ["４－００－３１０１０１－４", "9784003101018"],
    ["９７８－４－００－３１０１０１－８", "9784003101018"],
  ])("reads %j as the ISBN-13 %s", (typed, isbn13) => {
    expect(toIsbn13(typed)).toBe(isbn13);
  });

  it("converts an ISBN-10 whose check digit is X (upper or lower case, or full width)", () => {
    expect(toIsbn13("4-7741-1104-X")).toBe("9784774111049");
    expect(toIsbn13("477411104x")).toBe("9784774111049");
    expect(toIsbn13("４７７４１１１０４Ｘ")).toBe("9784774111049");
    expect(toIsbn13("415210001X")).toBe("9784152100016");
  });

  it.each([
    ["9784003101019", "an ISBN-13 with a wrong check digit"],
    ["4003101015", "an ISBN-10 with a wrong check digit"],
    ["4003101010", "an ISBN-10 whose check digit should be 4"],
    ["4774111040", "an ISBN-10 whose check digit should be X"],
  ])("refuses %s: %s", (typed) => {
    expect(toIsbn13(typed)).toBeUndefined();
  });

  it.each([
    ["123"],
    ["978400310101"],
    ["97840031010180"],
    ["400310101"],
    ["40031010144"],
    [""],
    ["X"],
    ["97840031010X8"],
    ["9774003101019"],
    ["ISBN確認用の本"],
  ])("refuses %j, which has the wrong length or characters", (typed) => {
    expect(toIsbn13(typed)).toBeUndefined();
  });
});

describe("formatIsbn", () => {
  it("hyphenates a Japanese ISBN-13 by the publisher ranges of group 4", () => {
    expect(formatIsbn("9784003101018")).toBe("978-4-00-310101-8");
    expect(formatIsbn("9784774111049")).toBe("978-4-7741-1104-9");
    expect(formatIsbn("9784152100016")).toBe("978-4-15-210001-6");
    expect(formatIsbn("9784062748681")).toBe("978-4-06-274868-1");
    expect(formatIsbn("9784309226712")).toBe("978-4-309-22671-2");
    expect(formatIsbn("9784840101158")).toBe("978-4-8401-0115-8");
    expect(formatIsbn("9784877837891")).toBe("978-4-87783-789-1");
    expect(formatIsbn("9784903991092")).toBe("978-4-903991-09-2");
    expect(formatIsbn("9784990028558")).toBe("978-4-9900285-5-8");
  });

  it("shows a foreign ISBN as its digits (no world range table in the Worker)", () => {
    expect(formatIsbn("9780804429573")).toBe("9780804429573");
  });

  it("shows the digits as they are when the number cannot be hyphenated", () => {
    expect(formatIsbn("9784003101019")).toBe("9784003101019");
    expect(formatIsbn("123")).toBe("123");
  });
});
