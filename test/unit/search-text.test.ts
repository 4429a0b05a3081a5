// The bigram index text and the FTS5 MATCH expressions built from what a patron types.
import { describe, expect, it } from "vitest";
import { normalizeText } from "../../src/domain/normalize";
import {
  indexColumn,
  indexTokens,
  matchExpression,
  queryTerms,
  termPhrase,
  titleNorm,
  titleSortKey,
} from "../../src/domain/search-text";

/** One phrase: an optional column filter, quoted tokens of letters/digits only, an optional prefix star. */
const PHRASE = String.raw`(?:(?:title|author|publisher|subject) : )?"[\p{L}\p{N}\p{M}]+(?: [\p{L}\p{N}\p{M}]+)*"(?: \*)?`;
/** A whole expression: phrases joined by AND, nothing else. */
const SAFE_EXPRESSION = new RegExp(`^${PHRASE}(?: AND ${PHRASE})*$`, "u");

describe("indexTokens", () => {
  it("cuts a Japanese run into overlapping bigrams plus its last character: 吾輩は猫 → 吾輩 輩は は猫 猫", () => {
    expect(indexTokens("吾輩は猫")).toBe("吾輩 輩は は猫 猫");
  });

  it("indexes a one-character title as that character alone", () => {
    expect(indexTokens("門")).toBe("門");
  });

  it("keeps Latin words and numbers whole and cuts Japanese runs around them", () => {
    expect(indexTokens("吾輩は猫SF、第2版")).toBe("吾輩 輩は は猫 猫 sf 第 2 版");
    expect(indexTokens("Harry Potter")).toBe("harry potter");
  });

  it("normalises before cutting, so width, kana and variant kanji index the same", () => {
    expect(indexTokens("ﾜｶﾞﾊｲ")).toBe(indexTokens("わがはい"));
    expect(indexTokens("ワガハイ")).toBe("わが がは はい い");
    expect(indexTokens("森鷗外")).toBe(indexTokens("森鴎外"));
    expect(indexTokens("ＳＱＬ入門")).toBe("sql 入門 門");
  });

  it("drops punctuation and markup characters, keeping only letters and digits in tokens", () => {
    expect(indexTokens(`<script>alert("x")</script> & "引用"`)).toBe("script alert x script 引用 用");
  });

  it("gives empty text for a missing or empty field", () => {
    expect(indexTokens(null)).toBe("");
    expect(indexTokens(undefined)).toBe("");
    expect(indexTokens("")).toBe("");
    expect(indexTokens("、。！？")).toBe("");
  });

  it("joins several fields into one column, skipping empty ones", () => {
    expect(indexColumn("猫", null, "", "犬")).toBe("猫 犬");
  });
});

describe("termPhrase", () => {
  it('matches a one-character term as a prefix phrase, so it finds the character inside any bigram: 猫 → "猫" *', () => {
    expect(termPhrase("猫")).toBe(`"猫" *`);
  });

  it("matches a two-character term as its single bigram, not as a prefix", () => {
    expect(termPhrase("漱石")).toBe(`"漱石"`);
  });

  it("matches a longer Japanese term as its adjacent bigrams, without the trailing single character", () => {
    expect(termPhrase("わがはい")).toBe(`"わが がは はい"`);
  });

  it("keeps the last character of a run followed by another run, as the index has it (multi-run term 第2版)", () => {
    expect(termPhrase("第2版")).toBe(`"第 2 版" *`);
    expect(termPhrase("吾輩は猫sf")).toBe(`"吾輩 輩は は猫 猫 sf"`);
  });

  it("matches a final Latin word of 3+ letters as a prefix, and a shorter one exactly", () => {
    expect(termPhrase("harr")).toBe(`"harr" *`);
    expect(termPhrase("sf")).toBe(`"sf"`);
  });

  it("produces a phrase whose tokens appear contiguously in the index of a title containing the term", () => {
    const title = normalizeText("銀河鉄道の夜");
    const indexed = ` ${indexTokens(title)} `;
    for (const term of ["銀河", "河鉄道", "鉄道の夜", "銀河鉄道の夜"]) {
      const phrase = termPhrase(normalizeText(term));
      const inner = phrase.replace(/^"/, "").replace(/"$/, "");
      expect(indexed, term).toContain(` ${inner} `);
    }
  });
});

describe("queryTerms", () => {
  it("splits on any white space, including the full-width space, and normalises each term", () => {
    expect(queryTerms("夏目　漱石")).toEqual(["夏目", "漱石"]);
    expect(queryTerms("  ＳＱＬ   入門 ")).toEqual(["sql", "入門"]);
    expect(queryTerms("コーヒー")).toEqual(["こひ"]);
  });

  it("drops terms that hold no letter or digit", () => {
    expect(queryTerms(`" * 、。！？ -- ;`)).toEqual([]);
    expect(queryTerms("")).toEqual([]);
    expect(queryTerms("\u0000")).toEqual([]);
  });
});

describe("matchExpression", () => {
  it("is undefined when no text was given (filters only)", () => {
    expect(matchExpression({})).toBeUndefined();
    expect(matchExpression({ q: "", title: "   " })).toBeUndefined();
    expect(matchExpression({ q: `"*"` })).toBeUndefined();
  });

  it("ANDs every term of the keyword box, unfielded", () => {
    expect(matchExpression({ q: "鉄道 銀河" })).toBe(`"鉄道" AND "銀河"`);
  });

  it('restricts title, author and publisher terms to their column: title : "…"', () => {
    expect(matchExpression({ title: "猫" })).toBe(`title : "猫" *`);
    expect(matchExpression({ q: "こころ", author: "夏目", publisher: "岩波書店" })).toBe(
      `"ここ ころ" AND author : "夏目" AND publisher : "岩波 波書 書店"`,
    );
  });

  it.each([
    [`"`],
    [`""`],
    [`猫"`],
    [`"猫" OR "犬"`],
    [`*`],
    [`猫*`],
    [`AND`],
    [`猫 AND 犬`],
    [`OR NOT`],
    [`NEAR(a b)`],
    [`NEAR(猫 犬, 2)`],
    [`title:猫`],
    [`title : 猫`],
    [`{title author}: 猫`],
    [`^猫`],
    [`-猫`],
    [`+猫`],
    [`猫) OR (犬`],
    [`'; DROP TABLE materials; --`],
    [`%`],
    [`\u0000猫`],
    [`"><script>x</script>`],
  ])("keeps patron-typed FTS syntax %j inside quoted tokens of letters and digits", (typed) => {
    for (const query of [{ q: typed }, { title: typed }, { author: typed }, { publisher: typed }]) {
      const expr = matchExpression(query);
      if (expr === undefined) continue;
      expect(expr).toMatch(SAFE_EXPRESSION);
    }
  });

  it("lower-cases FTS keywords typed by a patron so they are matched as words, not operators", () => {
    expect(matchExpression({ q: "猫 AND 犬" })).toBe(`"猫" * AND "and" * AND "犬" *`);
    expect(matchExpression({ q: "NEAR(a b)" })).toBe(`"near a" AND "b"`);
  });
});

describe("titleNorm and titleSortKey", () => {
  it("joins the normalised title and its reading (spaces removed) on separate lines", () => {
    expect(titleNorm("吾輩は猫である", "ワガハイ ハ ネコ デ アル")).toBe("吾輩は猫である\nわがはいはねこである");
  });

  it("is the normalised title alone when the reading is unknown", () => {
    expect(titleNorm("ＳＱＬ入門")).toBe("sql入門");
    expect(titleNorm("ＳＱＬ入門", null)).toBe("sql入門");
  });

  it("sorts by the reading when known, else by the normalised title, without spaces", () => {
    expect(titleSortKey("吾輩は猫である", "ワガハイ ハ ネコ デ アル")).toBe("わがはいはねこである");
    expect(titleSortKey("Harry Potter", null)).toBe("harrypotter");
    expect(titleSortKey("ＳＱＬ入門", "")).toBe("sql入門");
  });

  it("orders readings in kana order whatever their width or script", () => {
    const keys = [titleSortKey("坊っちゃん", "ボッチャン"), titleSortKey("こころ", "ココロ"), titleSortKey("門", "ﾓﾝ")];
    expect([...keys].sort()).toEqual([keys[1], keys[0], keys[2]]);
  });
});
