// The search a Japanese patron relies on: a table of queries with the materials each must and must not find.
import { beforeAll, describe, expect, it } from "vitest";
import { classics } from "../../scripts/demo/classics";
import { FIXTURES, idOfTitle, idsWhere, loadCatalog } from "../support/catalog";
import { getJson } from "../support/http";

interface Page {
  total: number;
  page: number;
  perPage: number;
  items: Array<{ id: number; title: string; year: number | null; type: string }>;
}

beforeAll(loadCatalog);

async function search(params: Record<string, string>): Promise<Page> {
  const qs = new URLSearchParams({ perPage: "100", ...params });
  const { status, body } = await getJson<Page>(`/api/v1/materials?${qs}`);
  expect(status).toBe(200);
  return body;
}

const t = idOfTitle;
const byAuthor = (family: string) => idsWhere((m) => (m.author ?? "").startsWith(family));
const soseki = byAuthor("夏目");
const ogai = byAuthor("森 鷗外");
const kenji = byAuthor("宮沢");
const akutagawa = byAuthor("芥川");

type Row = [string, Record<string, string>, number[], number[]];

const table: Row[] = [
  // One character: must find it anywhere in a title, even at the end of a word.
  ["1 kanji 猫 finds 吾輩は猫である", { q: "猫" }, [t("吾輩は猫である")], [t("坊っちゃん")]],
  ["1 kanji 門 finds 門, 羅生門 and 邪宗門", { q: "門" }, [t("門"), t("羅生門"), t("邪宗門")], [t("こころ")]],
  ["1 kanji 鼻 finds 芥川's 鼻", { q: "鼻" }, [t("鼻")], [t("羅生門")]],
  ["1 kanji 雁 finds 鷗外's 雁", { q: "雁" }, [t("雁")], [t("舞姫", "森 鷗外")]],
  ["1 kanji 雪 finds 細雪", { q: "雪" }, [t("細雪")], [t("春琴抄")]],
  // Two characters: author names, title words.
  ["2 kanji 漱石 finds every work of 夏目漱石", { q: "漱石" }, soseki, ogai],
  ["2 kanji 宮沢 finds 宮沢賢治's works", { q: "宮沢" }, kenji, akutagawa],
  ["2 kanji 鷗外 (old form) finds 森鷗外's works", { q: "鷗外" }, ogai, soseki],
  ["2 kanji 鴎外 (new form) finds 森鷗外's works", { q: "鴎外" }, ogai, soseki],
  ["2 kanji 京都 finds 京都の歴史 (and 東京都 as a bigram hit)", { q: "京都" }, [FIXTURES.kyoto.id], [t("こころ")]],
  ["2 kana こころ finds 漱石's こころ and 八雲's 心 (read ココロ)", { q: "こころ" }, [t("こころ"), t("心")], [t("門")]],
  // Readings, kana and width variants.
  ["hiragana reading わがはい", { q: "わがはい" }, [t("吾輩は猫である")], [t("坊っちゃん")]],
  ["katakana reading ワガハイ", { q: "ワガハイ" }, [t("吾輩は猫である")], [t("坊っちゃん")]],
  ["half-width katakana ﾜｶﾞﾊｲ", { q: "ﾜｶﾞﾊｲ" }, [t("吾輩は猫である")], [t("坊っちゃん")]],
  ["reading of an author らしょうもん", { q: "らしょうもん" }, [t("羅生門")], [t("鼻")]],
  ["full-width katakana ハリー finds a half-width title", { q: "ハリー" }, [FIXTURES.halfWidth.id], [FIXTURES.coffee.id]],
  ["hiragana はりー finds a half-width katakana title", { q: "はりー" }, [FIXTURES.halfWidth.id], []],
  ["half-width Latin sql finds ＳＱＬ入門", { q: "sql" }, [FIXTURES.fullWidthLatin.id], [FIXTURES.coffee.id]],
  ["full-width Latin ＳＱＬ finds ＳＱＬ入門", { q: "ＳＱＬ" }, [FIXTURES.fullWidthLatin.id], []],
  ["long vowel: コーヒー", { q: "コーヒー" }, [FIXTURES.coffee.id], [FIXTURES.halfWidth.id]],
  ["long vowel, half width: ｺｰﾋｰ", { q: "ｺｰﾋｰ" }, [FIXTURES.coffee.id], []],
  ["iteration mark: すすめ finds 学問のすゝめ", { q: "すすめ" }, [t("学問のすゝめ")], []],
  ["middle dot folded: ドグラマグラ", { q: "ドグラマグラ" }, [t("ドグラ・マグラ")], []],
  ["brackets inside a title are ignored: いきの構造", { q: "いきの構造" }, [t("「いき」の構造")], []],
  ["a comma inside a title is ignored: ああ無情", { q: "ああ無情" }, [FIXTURES.punctuated.id], []],
  ["katakana word in a title: ゴーシュ", { q: "ゴーシュ" }, [t("セロ弾きのゴーシュ")], [t("よだかの星")]],
  ["space between Japanese words is ignored: 夏目 漱石", { q: "夏目　漱石" }, soseki, ogai],
  ["several terms are ANDed in any order: 鉄道 銀河", { q: "鉄道 銀河" }, [t("銀河鉄道の夜")], [t("よだかの星")]],
  ["adjacent characters only: 銀夜 finds nothing", { q: "銀夜" }, [], [t("銀河鉄道の夜")]],
  // ISBN in every form.
  ["ISBN-13 with hyphens", { isbn: "978-4-00-310101-8" }, [FIXTURES.isbn.id], [FIXTURES.coffee.id]],
  ["ISBN-13 digits", { isbn: "9784003101018" }, [FIXTURES.isbn.id], []],
  ["ISBN-10 with hyphens", { isbn: "4-00-310101-4" }, [FIXTURES.isbn.id], []],
  ["ISBN-10 full width", { isbn: "４００３１０１０１４" }, [FIXTURES.isbn.id], []],
  ["an ISBN typed as a keyword", { q: "978-4-00-310101-8" }, [FIXTURES.isbn.id], [FIXTURES.coffee.id]],
  // The other fields still apply beside an ISBN keyword: the wrong publisher finds nothing.
  ["an ISBN keyword with its publisher", { q: "9784003101018", publisher: "岩波書店" }, [FIXTURES.isbn.id], []],
  ["an ISBN keyword with another publisher", { q: "9784003101018", publisher: "童心社" }, [], [FIXTURES.isbn.id]],
  // Fielded search and filters.
  ["author= restricts to authors: 芥川", { author: "芥川" }, akutagawa, soseki],
  ["title= does not look at authors: 漱石", { title: "漱石" }, [], soseki],
  ["title= 猫 excludes an author named 猫田", { title: "猫" }, [t("吾輩は猫である")], [FIXTURES.authorCat.id]],
  ["publisher= 岩波書店", { publisher: "岩波書店" }, [FIXTURES.isbn.id], [FIXTURES.coffee.id]],
  ["ndc prefix 007 finds computing", { ndc: "007" }, [FIXTURES.fullWidthLatin.id], [t("こころ")]],
  ["type=kamishibai", { type: "kamishibai" }, [FIXTURES.kamishibai.id], [t("こころ")]],
  [
    "year range 1905–1906 with an author",
    { author: "漱石", yearFrom: "1905", yearTo: "1906" },
    idsWhere((m) => (m.author ?? "").startsWith("夏目") && (m.year ?? 0) >= 1905 && (m.year ?? 0) <= 1906),
    [t("三四郎")],
  ],
  [
    "branch=kita holds only every third classic",
    { q: "漱石", branch: "kita" },
    soseki.filter((id) => id % 3 === 0),
    soseki.filter((id) => id % 3 !== 0),
  ],
  [
    "available=true drops a material whose copies are lost",
    { q: "本", available: "true" },
    [FIXTURES.authorCat.id],
    [FIXTURES.allLost.id, FIXTURES.noCopies.id],
  ],
];

describe("the search query table", () => {
  it("has at least 30 queries", () => expect(table.length).toBeGreaterThanOrEqual(30));

  it.each(table)("%s", async (_name, params, mustFind, mustNotFind) => {
    const result = await search(params);
    const ids = result.items.map((i) => i.id);
    for (const id of mustFind) expect(ids, `must find ${id}`).toContain(id);
    for (const id of mustNotFind) expect(ids, `must not find ${id}`).not.toContain(id);
    expect(result.total).toBe(result.items.length < 100 ? result.items.length : result.total);
  });
});

describe("ranking and paging", () => {
  it("ranks title hits above author hits: 猫 puts 吾輩は猫である before 犬の本 by 猫田", async () => {
    const ids = (await search({ q: "猫" })).items.map((i) => i.id);
    expect(ids.indexOf(t("吾輩は猫である"))).toBeLessThan(ids.indexOf(FIXTURES.authorCat.id));
  });

  it("ranks a title that starts with the query first: 京都 puts 京都の歴史 before 東京都の歴史", async () => {
    const ids = (await search({ q: "京都" })).items.map((i) => i.id);
    expect(ids[0]).toBe(FIXTURES.kyoto.id);
    expect(ids).toContain(FIXTURES.tokyoto.id);
  });

  it("sorts by newest year", async () => {
    const years = (await search({ author: "漱石", sort: "newest" })).items.map((i) => i.year ?? 0);
    expect(years).toEqual([...years].sort((a, b) => b - a));
  });

  it("sorts by title reading", async () => {
    const titles = (await search({ author: "宮沢", sort: "title" })).items.map((i) => i.title);
    const kana = titles.map((title) => classics.find((c) => c.title === title && c.author.startsWith("宮沢"))?.titleKana ?? "");
    const normalizedOrder = [...kana].sort((a, b) => (a.replaceAll(" ", "") < b.replaceAll(" ", "") ? -1 : 1));
    expect(kana.map((k) => k.replaceAll(" ", ""))).toEqual(normalizedOrder.map((k) => k.replaceAll(" ", "")));
  });

  it("pages through results without overlap, with the same total", async () => {
    const first = await search({ q: "漱石", perPage: "5", page: "1" });
    const second = await search({ q: "漱石", perPage: "5", page: "2" });
    expect(first.total).toBe(soseki.length);
    expect(second.total).toBe(first.total);
    expect(first.items).toHaveLength(5);
    const overlap = first.items.filter((a) => second.items.some((b) => b.id === a.id));
    expect(overlap).toEqual([]);
  });
});
