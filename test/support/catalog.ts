// A known catalog for tests: the demo's real classics plus hand-made materials for edge cases
// (hostile text, width variants, ISBN, latest magazine issue, 禁帯出, lost copies, false bigram hits).
import { env } from "cloudflare:workers";
import type { DemoItem, DemoMaterial } from "../../scripts/demo/catalog";
import { classicMaterial, DEMO_BRANCHES } from "../../scripts/demo/catalog";
import { classics } from "../../scripts/demo/classics";
import { branchInserts, inserts, itemInserts, materialInserts } from "../../scripts/demo/sql";

const base = {
  titleKana: null,
  author: null,
  authorKana: null,
  publisher: null,
  year: 2020,
  isbn: null,
  ndc: null,
  subject: null,
  series: null,
  type: "book",
  magazineTitle: null,
  issueLabel: null,
  issueDate: null,
  latestIssue: false,
} satisfies Omit<DemoMaterial, "id" | "title">;

export const FIXTURES = {
  hostile: {
    ...base,
    id: 9001,
    title: `<script>alert("x")</script> & "引用" 'きけん'`,
    author: "O'Brien <b>太字</b>",
  },
  halfWidth: {
    ...base,
    id: 9002,
    title: "ﾊﾘｰ･ﾎﾟｯﾀｰと賢者の石",
    titleKana: "ハリー ポッター ト ケンジャ ノ イシ",
    author: "J.K.ローリング",
  },
  fullWidthLatin: { ...base, id: 9003, title: "ＳＱＬ入門", titleKana: "エスキューエル ニュウモン", ndc: "007.609" },
  isbn: { ...base, id: 9004, title: "ISBN確認用の本", isbn: "9784003101018", publisher: "岩波書店" },
  latestIssue: {
    ...base,
    id: 9005,
    title: "月刊テスト雑誌 2026年12月号",
    type: "magazine",
    magazineTitle: "月刊テスト雑誌",
    latestIssue: true,
  },
  backIssue: { ...base, id: 9006, title: "月刊テスト雑誌 2026年11月号", type: "magazine", magazineTitle: "月刊テスト雑誌" },
  referenceOnly: { ...base, id: 9007, title: "郷土資料事典", ndc: "219.7" },
  allLost: { ...base, id: 9008, title: "行方不明の本" },
  authorCat: { ...base, id: 9009, title: "犬の本", author: "猫田 太郎", authorKana: "ネコタ タロウ" },
  tokyoto: { ...base, id: 9010, title: "東京都の歴史", titleKana: "トウキョウト ノ レキシ", ndc: "213.6" },
  kyoto: { ...base, id: 9011, title: "京都の歴史", titleKana: "キョウト ノ レキシ", ndc: "216.2" },
  coffee: { ...base, id: 9012, title: "コーヒーの話", titleKana: "コーヒー ノ ハナシ", ndc: "596.7", type: "book" },
  kamishibai: {
    ...base,
    id: 9013,
    title: "紙芝居 ももたろう",
    titleKana: "カミシバイ モモタロウ",
    type: "kamishibai",
    publisher: "童心社",
  },
  noCopies: { ...base, id: 9014, title: "所蔵のない本" },
  punctuated: { ...base, id: 9015, title: "ああ、無情", titleKana: "アア ムジョウ", author: "ユゴー" },
} satisfies Record<string, DemoMaterial>;

/** Every classic is material id = its index + 1, as in the demo library. */
export const classicMaterials: DemoMaterial[] = classics.map((w, i) => classicMaterial(w, i + 1, null));

export const idOfTitle = (title: string, authorPrefix = ""): number => {
  const found = [...classicMaterials, ...Object.values(FIXTURES)].filter(
    (m) => m.title === title && (m.author ?? "").startsWith(authorPrefix),
  );
  if (found.length !== 1) throw new Error(`test catalog has ${found.length} materials titled ${title}`);
  return (found[0] as DemoMaterial).id;
};

export const idsWhere = (pred: (m: DemoMaterial) => boolean): number[] =>
  [...classicMaterials, ...Object.values(FIXTURES)].filter(pred).map((m) => m.id);

function items(): DemoItem[] {
  const out: DemoItem[] = [];
  const add = (materialId: number, branchCode: string, status: DemoItem["status"], loanable = true) => {
    const id = out.length + 1;
    out.push({ id, materialId, branchCode, barcode: `T${String(id).padStart(8, "0")}`, callNumber: "913/テ", status, loanable });
  };
  // Classics: one copy on the shelf at 中央; every third also lent out at 北部.
  for (const m of classicMaterials) {
    add(m.id, "central", "available");
    if (m.id % 3 === 0) add(m.id, "kita", "on_loan");
  }
  const f = FIXTURES;
  for (const m of [
    f.hostile,
    f.halfWidth,
    f.fullWidthLatin,
    f.isbn,
    f.backIssue,
    f.authorCat,
    f.tokyoto,
    f.kyoto,
    f.coffee,
    f.kamishibai,
    f.punctuated,
  ]) {
    add(m.id, "central", "available");
  }
  add(f.latestIssue.id, "central", "available", false);
  add(f.referenceOnly.id, "central", "available", false);
  add(f.referenceOnly.id, "minami", "available", false);
  add(f.allLost.id, "central", "missing");
  add(f.allLost.id, "kita", "damaged");
  add(f.coffee.id, "umibe", "on_loan");
  return out;
}

/** Loads the test catalog into this test file's D1. */
export async function loadCatalog(): Promise<void> {
  const statements = [
    ...branchInserts(DEMO_BRANCHES),
    ...inserts(
      "calendar_days",
      ["date", "open", "note"],
      [
        ["2026-11-30", false, null],
        ["2026-12-01", true, null],
      ],
    ),
    ...materialInserts([...classicMaterials, ...Object.values(FIXTURES)]),
    ...itemInserts(items()),
  ];
  await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
}
