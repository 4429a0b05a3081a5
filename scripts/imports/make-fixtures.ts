// Writes the sample import files under test/fixtures/imports/ (committed; run again after changing them):
// MARC 21 as ISO 2709 and MARCXML (written by the maintained serializer), CSV in UTF-8 and Shift_JIS,
// a TSV, and a library's own column mapping. Each file carries good rows and each kind of bad one.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import iconv from "iconv-lite";
import { type Bib, BOOK_LEADER, bibFields, iso2709, marcXml } from "./marc-writer";

const dir = join(import.meta.dirname, "../../test/fixtures/imports");
const write = (name: string, data: string | Buffer) => writeFileSync(join(dir, name), data);

export const BIBS: Bib[] = [
  {
    id: "JP0001",
    title: "図書館のしごと",
    titleKana: "トショカン ノ シゴト",
    authors: [
      { name: "山田, 花子", kana: "ヤマダ, ハナコ" },
      { name: "鈴木, 一郎", kana: "スズキ, イチロウ" },
    ],
    publisher: "みなみ書房",
    year: 2021,
    isbn: "978-4-10-101001-4",
    ndc: "010.1",
    subjects: ["図書館"],
    series: { name: "しごとの本", volume: "3" },
    holdings: [
      { branch: "central", barcode: "M0000011", callNumber: "010.1/ヤ" },
      { branch: "kita", barcode: "M0000012", callNumber: "010.1/ヤ", note: "禁帯出" },
    ],
  },
  {
    id: "JP0002",
    title: "ねこの手帖",
    titleKana: "ネコ ノ テチョウ",
    authors: [{ name: "佐藤, 猫子", kana: "サトウ, ネコ" }],
    publisher: "にゃん社",
    year: 2019,
    ndc: "645.7",
    subjects: ["猫"],
    holdingsTag: "949",
    holdings: [{ branch: "minami", barcode: "M0000021", callNumber: "645/サ" }],
  },
  // A bad ISBN: the record is skipped and listed.
  { id: "JP0003", title: "まちがいISBN", isbn: "978-4-10-101001-5", holdings: [{ branch: "central", barcode: "M0000031" }] },
  // An unknown branch: the record is imported, that copy is listed.
  {
    id: "JP0004",
    title: "海辺の図鑑",
    titleKana: "ウミベ ノ ズカン",
    year: 2020,
    ndc: "468",
    holdings: [
      { branch: "central", barcode: "M0000041" },
      { branch: "nowhere", barcode: "M0000042" },
    ],
  },
  // The same barcode as JP0001's first copy: a duplicate barcode in the file.
  { id: "JP0005", title: "重複バーコード", holdings: [{ branch: "central", barcode: "M0000011" }] },
  {
    id: "JP0006",
    title: "ももたろう",
    titleKana: "モモタロウ",
    leader: "00000nkm a2200000 i 4500",
    holdings: [{ branch: "central", barcode: "M0000061" }],
  },
];

const leaderOf = (b: Bib) => b.leader ?? BOOK_LEADER;

function main() {
  // ISO 2709, with one broken record (its length says 99999) between the good ones.
  const records = BIBS.map((b) => iso2709(leaderOf(b), bibFields(b)));
  const broken = `99999${(records[1] as string).slice(5)}`;
  write("catalog.mrc", [records[0], broken, ...records.slice(1)].join(""));
  // The next night: JP0001 changed (new title) and lost its kita copy; JP0006 deleted (leader/05 = d).
  const changed = BIBS.map((b) =>
    b.id === "JP0001"
      ? { ...b, title: "図書館のしごと 改訂版", holdings: b.holdings?.slice(0, 1) }
      : b.id === "JP0006"
        ? { ...b, leader: "00000dkm a2200000 i 4500" }
        : b,
  );
  write("catalog-changed.mrc", changed.map((b) => iso2709(leaderOf(b), bibFields(b))).join(""));
  // MARCXML with a namespace prefix, the same records (no broken one), and one record without its end.
  const xml = BIBS.map((b) =>
    marcXml(leaderOf(b), bibFields(b))
      .replace(/<(\/?)(record|leader|controlfield|datafield|subfield)\b/g, "<$1marc:$2")
      .replace(' xmlns="', ' xmlns:marc="'),
  );
  write(
    "catalog.xml",
    `<?xml version="1.0" encoding="UTF-8"?>\n<marc:collection xmlns:marc="http://www.loc.gov/MARC21/slim">\n${xml.join("\n")}\n` +
      `<marc:record><marc:leader>00000nam a2200000 i 4500</marc:leader><marc:controlfield tag="001">JP0099</marc:controlfield>\n`,
  );
  // Materials and copies as CSV (UTF-8 with BOM, a quoted title with a comma and a newline).
  write(
    "materials.csv",
    "\uFEFF書誌番号,書名,書名ヨミ,著者,出版者,出版年,ISBN,NDC,資料種別\n" +
      'C0001,"星の王子さま, 新訳",ホシ ノ オウジサマ,サン=テグジュペリ,みなみ書房,2015,9784101010014,953,図書\n' +
      'C0002,"ふたつの\n行に分かれた書名",フタツ ノ ギョウ,,,2018,,913.6,図書\n' +
      "C0003,ISBNがおかしい,,,,2020,9784101010015,,図書\n" +
      ",書誌番号なし,,,,2020,,,図書\n" +
      "C0004,ビデオ資料,,,,2010,,,DVD\n" +
      "C0001,重複した書誌番号,,,,2015,,,図書\n",
  );
  // Copies in Shift_JIS with the library's own column names (mapping-copies.json says which is which).
  write(
    "copies.sjis.csv",
    iconv.encode(
      "資料No,書誌No,館,配架記号,資料状態区分,禁帯\r\n" +
        "C1001,C0001,central,953/サ,在架,\r\n" +
        "C1002,C0001,kita,953/サ,在架,禁帯出\r\n" +
        "C1003,C0002,minami,913.6/フ,整理中,\r\n" +
        "C1004,C9999,central,,在架,\r\n" +
        "C1005,C0002,nowhere,,在架,\r\n" +
        "C1001,C0002,central,,在架,\r\n" +
        "C1006,C0004,central,,ふめい,\r\n",
      "cp932",
    ),
  );
  write(
    "mapping-copies.json",
    `${JSON.stringify({ columns: { 資料No: "barcode", 書誌No: "materialSourceId", 館: "branch", 配架記号: "callNumber", 資料状態区分: "status", 禁帯: "notLoanable" }, statuses: { ふめい: "missing" } }, null, 2)}\n`,
  );
  // Patrons (TSV), loans and counter reservations (CSV), each with bad rows.
  write(
    "patrons.tsv",
    "利用者番号\t氏名\t氏名カナ\tメールアドレス\t有効期限\tWeb利用\n" +
      "30000001\t図書 太郎\tトショ タロウ\ttaro@example.jp\t2028-03-31\t可\n" +
      "30000002\t図書 花子\tトショ ハナコ\t\t2027/12/31\t不可\n" +
      "30000003\t形式 違反\t\tnot-an-address\t2027-01-01\t可\n" +
      "30000001\t重複 太郎\t\t\t2028-03-31\t可\n" +
      "30000004\t期限 不明\t\t\t2027-02-30\t可\n",
  );
  write(
    "loans.csv",
    "バーコード,利用者番号,貸出日,返却期限\n" +
      "C1001,30000001,2026-11-25,2026-12-09\n" +
      "C1003,30000002,2026/11/28 10:15,2026/12/12\n" +
      "NOSUCH,30000001,2026-11-25,2026-12-09\n" +
      "C1002,99999999,2026-11-25,2026-12-09\n" +
      "C1001,30000002,2026-11-25,2026-12-09\n",
  );
  write(
    "reservations.csv",
    "利用者番号,書誌番号,受取館,予約日,予約順位\n" +
      "30000002,C0001,central,2026-11-20,1\n" +
      "30000001,C0001,kita,2026-11-20,2\n" +
      "30000001,C0404,central,2026-11-21,1\n" +
      "30000002,C0002,nowhere,2026-11-21,1\n",
  );
  console.log(`fixtures written to ${dir}`);
}

main();
