import { describe, expect, it } from "vitest";
import { normalizeText, splitRuns } from "../../src/domain/normalize";

describe("normalizeText", () => {
  it.each([
    ["ﾜｶﾞﾊｲ", "わがはい"],
    ["ワガハイ", "わがはい"],
    ["ＳＱＬ入門", "sql入門"],
    ["コーヒー", "こひ"],
    ["ドストエフスキー・フョードル", "どすとえふすきふょどる"],
    ["学問のすゝめ", "学問のすすめ"],
    ["いすゞ", "いすず"],
    ["森鷗外", "森鴎外"],
    ["夏目　漱石", "夏目漱石"],
    ["Harry  Potter", "harry potter"],
    ["３Ｄ プリンタ", "3d ぷりんた"],
  ])("folds %s to %s", (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it("splits Japanese runs from whole words at separators", () => {
    expect(splitRuns(normalizeText("吾輩は猫SF、第2版"))).toEqual([
      { kind: "cjk", text: "吾輩は猫" },
      { kind: "word", text: "sf" },
      { kind: "cjk", text: "第" },
      { kind: "word", text: "2" },
      { kind: "cjk", text: "版" },
    ]);
  });
});
