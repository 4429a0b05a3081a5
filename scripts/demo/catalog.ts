// The demo library: branches, calendar, real classics and generated materials with copies, demo patrons.
// Deterministic (seeded), so every fresh machine gets the same catalog and tests can rely on it.
import holidayJp from "@holiday-jp/holiday_jp";
import { addDays, isRegularClosingDay } from "../../src/domain/calendar";
import type { ItemStatus, MaterialType } from "../../src/domain/codes";
import { toIsbn13 } from "../../src/domain/isbn";
import { type ClassicWork, classics } from "./classics";

export interface DemoBranch {
  code: string;
  name: string;
  pickup: boolean;
  sortOrder: number;
  address: string | null;
  phone: string | null;
  hours: string | null;
}

export interface DemoMaterial {
  id: number;
  title: string;
  titleKana: string | null;
  author: string | null;
  authorKana: string | null;
  publisher: string | null;
  year: number | null;
  isbn: string | null;
  ndc: string | null;
  subject: string | null;
  series: string | null;
  type: MaterialType;
  magazineTitle: string | null;
  issueLabel: string | null;
  issueDate: string | null;
  latestIssue: boolean;
}

export interface DemoItem {
  id: number;
  materialId: number;
  branchCode: string;
  barcode: string;
  callNumber: string;
  status: ItemStatus;
  loanable: boolean;
}

export interface DemoPatron {
  cardNumber: string;
  name: string;
  nameKana: string;
  email: string;
  temporaryPassword: string;
  webEnabled: boolean;
}

// A made-up city: the numbers use the 000 exchange, which no real line has.
export const DEMO_BRANCHES: DemoBranch[] = [
  {
    code: "central",
    name: "中央図書館",
    pickup: true,
    sortOrder: 1,
    address: "〒897-0001 みなみ市中央町1-1",
    phone: "0993-00-1001",
    hours: "火〜金 9:00〜19:00／土・日 9:00〜17:00（月曜・祝日休館）",
  },
  {
    code: "kita",
    name: "北部分館",
    pickup: true,
    sortOrder: 2,
    address: "〒897-0101 みなみ市北町2-5 北部公民館内",
    phone: "0993-00-1002",
    hours: "火〜日 9:00〜17:00（月曜・祝日休館）",
  },
  {
    code: "minami",
    name: "南部分館",
    pickup: true,
    sortOrder: 3,
    address: "〒897-0201 みなみ市南浜3-12",
    phone: "0993-00-1003",
    hours: "火〜日 9:00〜17:00（月曜・祝日休館）",
  },
  {
    code: "higashi",
    name: "東部分館",
    pickup: true,
    sortOrder: 4,
    address: "〒897-0301 みなみ市東山1-8",
    phone: "0993-00-1004",
    hours: "火〜日 10:00〜18:00（月曜・祝日休館）",
  },
  {
    code: "umibe",
    name: "うみべ分館",
    pickup: true,
    sortOrder: 5,
    address: "〒897-0401 みなみ市海辺町7-3 うみべ交流センター2階",
    phone: "0993-00-1005",
    hours: "火〜土 10:00〜17:00（日曜・月曜・祝日休館）",
  },
];

/** Demo patrons, registered at the counter with temporary credentials that must be changed at first login. */
export const DEMO_PATRONS: DemoPatron[] = [
  {
    cardNumber: "2100000001",
    name: "南 花子",
    nameKana: "ミナミ ハナコ",
    email: "hanako@example.jp",
    temporaryPassword: "kari0001",
    webEnabled: true,
  },
  {
    cardNumber: "2100000002",
    name: "薩摩 太郎",
    nameKana: "サツマ タロウ",
    email: "taro@example.jp",
    temporaryPassword: "kari0002",
    webEnabled: true,
  },
  {
    cardNumber: "2100000003",
    name: "加世田 美咲",
    nameKana: "カセダ ミサキ",
    email: "misaki@example.jp",
    temporaryPassword: "kari0003",
    webEnabled: true,
  },
  {
    cardNumber: "2100000004",
    name: "坊津 健一",
    nameKana: "ボウノツ ケンイチ",
    email: "kenichi@example.jp",
    temporaryPassword: "kari0004",
    webEnabled: true,
  },
  {
    cardNumber: "2100000005",
    name: "笠沙 陽子",
    nameKana: "カササ ヨウコ",
    email: "yoko@example.jp",
    temporaryPassword: "kari0005",
    webEnabled: false,
  },
];

/** A small seeded PRNG (mulberry32): the same demo library on every machine. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  return { next, int, pick };
}
export type Rng = ReturnType<typeof prng>;

type Word = readonly [string, string];

const PUBLISHERS: ReadonlyArray<readonly [string, string]> = [
  ["岩波書店", "400"],
  ["講談社", "406"],
  ["新潮社", "410"],
  ["集英社", "408"],
  ["小学館", "409"],
  ["文藝春秋", "416"],
  ["KADOKAWA", "404"],
  ["筑摩書房", "4480"],
  ["中央公論新社", "412"],
  ["河出書房新社", "4309"],
  ["光文社", "4334"],
  ["幻冬舎", "4344"],
  ["ポプラ社", "4591"],
  ["偕成社", "403"],
  ["福音館書店", "48340"],
  ["東京創元社", "4488"],
  ["早川書房", "415"],
  ["NHK出版", "414"],
  ["南方新社", "486124"],
  ["童心社", "4494"],
];

const FAMILY: Word[] = [
  ["佐藤", "サトウ"],
  ["鈴木", "スズキ"],
  ["高橋", "タカハシ"],
  ["田中", "タナカ"],
  ["伊藤", "イトウ"],
  ["渡辺", "ワタナベ"],
  ["山本", "ヤマモト"],
  ["中村", "ナカムラ"],
  ["小林", "コバヤシ"],
  ["加藤", "カトウ"],
  ["吉田", "ヨシダ"],
  ["山田", "ヤマダ"],
  ["佐々木", "ササキ"],
  ["山口", "ヤマグチ"],
  ["松本", "マツモト"],
  ["井上", "イノウエ"],
  ["木村", "キムラ"],
  ["林", "ハヤシ"],
  ["斎藤", "サイトウ"],
  ["清水", "シミズ"],
  ["西郷", "サイゴウ"],
  ["有村", "アリムラ"],
  ["東郷", "トウゴウ"],
  ["猫田", "ネコタ"],
  ["宮沢", "ミヤザワ"],
  ["川上", "カワカミ"],
  ["森田", "モリタ"],
  ["前田", "マエダ"],
  ["藤原", "フジワラ"],
  ["岡田", "オカダ"],
];
const GIVEN: Word[] = [
  ["花子", "ハナコ"],
  ["太郎", "タロウ"],
  ["健一", "ケンイチ"],
  ["美咲", "ミサキ"],
  ["翔太", "ショウタ"],
  ["陽子", "ヨウコ"],
  ["誠", "マコト"],
  ["由美", "ユミ"],
  ["隆", "タカシ"],
  ["直子", "ナオコ"],
  ["大輔", "ダイスケ"],
  ["恵", "メグミ"],
  ["浩二", "コウジ"],
  ["真理子", "マリコ"],
  ["修", "オサム"],
  ["彩", "アヤ"],
  ["悠人", "ユウト"],
  ["千尋", "チヒロ"],
];
const PLACES: Word[] = [
  ["鹿児島", "カゴシマ"],
  ["薩摩", "サツマ"],
  ["九州", "キュウシュウ"],
  ["日本", "ニホン"],
  ["世界", "セカイ"],
  ["京都", "キョウト"],
  ["東京", "トウキョウ"],
  ["南九州", "ミナミキュウシュウ"],
  ["沖縄", "オキナワ"],
  ["北海道", "ホッカイドウ"],
];
const PREFIXES: Word[] = [
  ["はじめての", "ハジメテ ノ"],
  ["やさしい", "ヤサシイ"],
  ["図解", "ズカイ"],
  ["新版", "シンパン"],
  ["親子で楽しむ", "オヤコ デ タノシム"],
  ["決定版", "ケッテイバン"],
  ["よくわかる", "ヨク ワカル"],
  ["カラー版", "カラーバン"],
  ["一冊でわかる", "イッサツ デ ワカル"],
];
const SUFFIXES: Word[] = [
  ["入門", "ニュウモン"],
  ["の基本", "ノ キホン"],
  ["の歴史", "ノ レキシ"],
  ["事典", "ジテン"],
  ["ハンドブック", "ハンドブック"],
  ["のきほん", "ノ キホン"],
  ["の楽しみ", "ノ タノシミ"],
  ["のすべて", "ノ スベテ"],
  ["ガイド", "ガイド"],
  ["百科", "ヒャッカ"],
  ["のひみつ", "ノ ヒミツ"],
  ["を学ぶ", "ヲ マナブ"],
];

interface Topic {
  ndc: string;
  subject: string;
  nouns: Word[];
}

const TOPICS: Topic[] = [
  {
    ndc: "645.7",
    subject: "猫",
    nouns: [
      ["猫", "ネコ"],
      ["ねこ", "ネコ"],
      ["子猫", "コネコ"],
      ["猫の飼い方", "ネコ ノ カイカタ"],
      ["猫と暮らす本", "ネコ ト クラス ホン"],
    ],
  },
  {
    ndc: "645.6",
    subject: "犬",
    nouns: [
      ["犬", "イヌ"],
      ["柴犬", "シバイヌ"],
      ["犬のしつけ", "イヌ ノ シツケ"],
      ["愛犬", "アイケン"],
    ],
  },
  {
    ndc: "627",
    subject: "園芸",
    nouns: [
      ["家庭菜園", "カテイ サイエン"],
      ["ベランダ園芸", "ベランダ エンゲイ"],
      ["バラ", "バラ"],
      ["多肉植物", "タニク ショクブツ"],
      ["寄せ植え", "ヨセウエ"],
    ],
  },
  {
    ndc: "596",
    subject: "料理",
    nouns: [
      ["和食", "ワショク"],
      ["お弁当", "オベントウ"],
      ["パン作り", "パンヅクリ"],
      ["スープ", "スープ"],
      ["魚料理", "サカナ リョウリ"],
      ["郷土料理", "キョウド リョウリ"],
      ["お菓子作り", "オカシヅクリ"],
    ],
  },
  {
    ndc: "498",
    subject: "健康",
    nouns: [
      ["睡眠", "スイミン"],
      ["ストレッチ", "ストレッチ"],
      ["ヨガ", "ヨガ"],
      ["食事と健康", "ショクジ ト ケンコウ"],
      ["ウォーキング", "ウォーキング"],
    ],
  },
  {
    ndc: "210",
    subject: "日本史",
    nouns: [
      ["戦国時代", "センゴク ジダイ"],
      ["明治維新", "メイジ イシン"],
      ["江戸の暮らし", "エド ノ クラシ"],
      ["古墳", "コフン"],
      ["城", "シロ"],
    ],
  },
  {
    ndc: "219.7",
    subject: "鹿児島県-歴史",
    nouns: [
      ["薩摩藩", "サツマハン"],
      ["島津家", "シマヅケ"],
      ["西郷隆盛", "サイゴウ タカモリ"],
      ["坊津", "ボウノツ"],
      ["鑑真", "ガンジン"],
    ],
  },
  {
    ndc: "440",
    subject: "天文学",
    nouns: [
      ["星座", "セイザ"],
      ["宇宙", "ウチュウ"],
      ["月", "ツキ"],
      ["惑星", "ワクセイ"],
      ["ブラックホール", "ブラックホール"],
    ],
  },
  {
    ndc: "486",
    subject: "昆虫",
    nouns: [
      ["昆虫", "コンチュウ"],
      ["カブトムシ", "カブトムシ"],
      ["チョウ", "チョウ"],
      ["虫", "ムシ"],
    ],
  },
  {
    ndc: "488",
    subject: "鳥類",
    nouns: [
      ["野鳥", "ヤチョウ"],
      ["鳥", "トリ"],
      ["渡り鳥", "ワタリドリ"],
      ["ツル", "ツル"],
    ],
  },
  {
    ndc: "410",
    subject: "数学",
    nouns: [
      ["数学", "スウガク"],
      ["算数", "サンスウ"],
      ["微分積分", "ビブン セキブン"],
      ["確率", "カクリツ"],
    ],
  },
  {
    ndc: "417",
    subject: "統計学",
    nouns: [
      ["統計学", "トウケイガク"],
      ["データ分析", "データ ブンセキ"],
    ],
  },
  {
    ndc: "007.64",
    subject: "プログラミング",
    nouns: [
      ["プログラミング", "プログラミング"],
      ["Python", "パイソン"],
      ["JavaScript", "ジャバスクリプト"],
      ["SQL", "エスキューエル"],
    ],
  },
  {
    ndc: "291",
    subject: "日本-紀行・案内記",
    nouns: [
      ["温泉", "オンセン"],
      ["鉄道旅", "テツドウタビ"],
      ["島旅", "シマタビ"],
      ["街歩き", "マチアルキ"],
    ],
  },
  {
    ndc: "760",
    subject: "音楽",
    nouns: [
      ["ピアノ", "ピアノ"],
      ["ギター", "ギター"],
      ["合唱", "ガッショウ"],
      ["クラシック音楽", "クラシック オンガク"],
    ],
  },
  {
    ndc: "796",
    subject: "将棋",
    nouns: [
      ["将棋", "ショウギ"],
      ["詰将棋", "ツメショウギ"],
    ],
  },
  {
    ndc: "783.7",
    subject: "野球",
    nouns: [
      ["野球", "ヤキュウ"],
      ["少年野球", "ショウネン ヤキュウ"],
    ],
  },
  {
    ndc: "594",
    subject: "手芸",
    nouns: [
      ["編み物", "アミモノ"],
      ["刺しゅう", "シシュウ"],
      ["パッチワーク", "パッチワーク"],
    ],
  },
  {
    ndc: "599",
    subject: "育児",
    nouns: [
      ["子育て", "コソダテ"],
      ["離乳食", "リニュウショク"],
      ["絵本の読み聞かせ", "エホン ノ ヨミキカセ"],
    ],
  },
  {
    ndc: "369.3",
    subject: "防災",
    nouns: [
      ["防災", "ボウサイ"],
      ["火山", "カザン"],
      ["台風", "タイフウ"],
      ["地震", "ジシン"],
    ],
  },
  {
    ndc: "519",
    subject: "環境問題",
    nouns: [
      ["環境", "カンキョウ"],
      ["海洋ごみ", "カイヨウ ゴミ"],
      ["森林", "シンリン"],
    ],
  },
  {
    ndc: "830",
    subject: "英語",
    nouns: [
      ["英会話", "エイカイワ"],
      ["英文法", "エイブンポウ"],
      ["英単語", "エイタンゴ"],
    ],
  },
  {
    ndc: "791",
    subject: "茶道",
    nouns: [
      ["茶道", "サドウ"],
      ["お茶", "オチャ"],
      ["知覧茶", "チランチャ"],
    ],
  },
  {
    ndc: "740",
    subject: "写真",
    nouns: [
      ["写真", "シャシン"],
      ["カメラ", "カメラ"],
      ["風景写真", "フウケイ シャシン"],
    ],
  },
];

const MAGAZINES: Array<{ title: string; kana: string; ndc: string; subject: string; publisher: string }> = [
  { title: "月刊 かごしま暮らし", kana: "ゲッカン カゴシマ グラシ", ndc: "051", subject: "鹿児島県", publisher: "南方新社" },
  { title: "月刊 ガーデンライフ", kana: "ゲッカン ガーデン ライフ", ndc: "620.5", subject: "園芸", publisher: "NHK出版" },
  { title: "月刊 こども科学", kana: "ゲッカン コドモ カガク", ndc: "405", subject: "科学", publisher: "偕成社" },
  { title: "月刊 手づくり生活", kana: "ゲッカン テヅクリ セイカツ", ndc: "590.5", subject: "家政学", publisher: "主婦の友社" },
  {
    title: "月刊 将棋ジャーナル",
    kana: "ゲッカン ショウギ ジャーナル",
    ndc: "796.05",
    subject: "将棋",
    publisher: "日本将棋連盟",
  },
  { title: "月刊 旅と鉄道", kana: "ゲッカン タビ ト テツドウ", ndc: "686.05", subject: "鉄道", publisher: "光文社" },
];

function isbnFor(rng: Rng, publisherCode: string): string | null {
  const digits = `${publisherCode}${String(rng.int(0, 10 ** (9 - publisherCode.length) - 1)).padStart(9 - publisherCode.length, "0")}`;
  const sum10 = [...digits].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
  const check = (11 - (sum10 % 11)) % 11;
  return toIsbn13(`${digits}${check === 10 ? "X" : check}`) ?? null;
}

const publisherCode = (name: string) => PUBLISHERS.find(([n]) => n === name)?.[1];

function joinKana(...parts: string[]): string {
  return parts.filter(Boolean).join(" ");
}

/** The generated (not real) materials: topical non-fiction, magazines with issues, AV and 紙芝居. */
function generated(rng: Rng, count: number, firstId: number): DemoMaterial[] {
  const out: DemoMaterial[] = [];
  const seen = new Set<string>();
  let id = firstId;
  // Magazines: twelve monthly issues each, the newest flagged as the latest issue (not reservable).
  for (const mag of MAGAZINES) {
    for (let month = 1; month <= 12; month++) {
      const issue = `2026年${month}月号`;
      out.push({
        id: id++,
        title: `${mag.title} ${issue}`,
        titleKana: joinKana(mag.kana, `ニセンニジュウロクネン ${month}ガツゴウ`),
        author: null,
        authorKana: null,
        publisher: mag.publisher,
        year: 2026,
        isbn: null,
        ndc: mag.ndc,
        subject: mag.subject,
        series: null,
        type: "magazine",
        magazineTitle: mag.title,
        issueLabel: issue,
        issueDate: `2026-${String(month).padStart(2, "0")}-01`,
        latestIssue: month === 12,
      });
    }
  }
  // 紙芝居 of folk tales, and audio-visual materials.
  for (const c of classics.filter((w) => w.ndc.startsWith("388") || w.author.startsWith("楠山"))) {
    out.push({
      id: id++,
      title: `紙芝居 ${c.title}`,
      titleKana: joinKana("カミシバイ", c.titleKana),
      author: c.author,
      authorKana: c.authorKana,
      publisher: "童心社",
      year: rng.int(1975, 2020),
      isbn: isbnFor(rng, "4494"),
      ndc: "726.8",
      subject: "紙芝居",
      series: null,
      type: "kamishibai",
      magazineTitle: null,
      issueLabel: null,
      issueDate: null,
      latestIssue: false,
    });
  }
  for (const c of classics.filter((_, i) => i % 9 === 0)) {
    out.push({
      id: id++,
      title: `朗読CD ${c.title}`,
      titleKana: joinKana("ロウドク シーディー", c.titleKana),
      author: c.author,
      authorKana: c.authorKana,
      publisher: "NHK出版",
      year: rng.int(1995, 2024),
      isbn: null,
      ndc: c.ndc,
      subject: "朗読",
      series: null,
      type: "av",
      magazineTitle: null,
      issueLabel: null,
      issueDate: null,
      latestIssue: false,
    });
  }
  while (out.length < count) {
    const topic = rng.pick(TOPICS);
    const noun = rng.pick(topic.nouns);
    const shape = rng.int(0, 4);
    let title: string;
    let kana: string;
    if (shape === 0) {
      const p = rng.pick(PREFIXES);
      [title, kana] = [`${p[0]}${noun[0]}`, joinKana(p[1], noun[1])];
    } else if (shape === 1) {
      const s = rng.pick(SUFFIXES);
      [title, kana] = [`${noun[0]}${s[0]}`, joinKana(noun[1], s[1])];
    } else if (shape === 2) {
      const pl = rng.pick(PLACES);
      [title, kana] = [`${pl[0]}の${noun[0]}`, joinKana(pl[1], "ノ", noun[1])];
    } else if (shape === 3) {
      const p = rng.pick(PREFIXES);
      const s = rng.pick(SUFFIXES);
      [title, kana] = [`${p[0]}${noun[0]}${s[0]}`, joinKana(p[1], noun[1], s[1])];
    } else {
      const n2 = rng.pick(rng.pick(TOPICS).nouns);
      [title, kana] = [`${noun[0]}と${n2[0]}`, joinKana(noun[1], "ト", n2[1])];
    }
    const [publisher, code] = rng.pick(PUBLISHERS);
    const year = rng.int(1970, 2026);
    // A title already published by the same house becomes a later edition, as catalogs record it.
    let key = `${title}|${publisher}`;
    for (let edition = 2; seen.has(key); edition++) {
      key = `${title}|${publisher}|${edition}`;
      if (!seen.has(key)) {
        title = `${title} 第${edition}版`;
        kana = `${kana} ダイ${edition}ハン`;
      }
    }
    seen.add(key);
    const fam = rng.pick(FAMILY);
    const giv = rng.pick(GIVEN);
    const isAv = rng.next() < 0.04;
    out.push({
      id: id++,
      title: isAv ? `DVD ${title}` : title,
      titleKana: isAv ? joinKana("ディーブイディー", kana) : kana,
      author: `${fam[0]} ${giv[0]}`,
      authorKana: `${fam[1]} ${giv[1]}`,
      publisher,
      year,
      isbn: isAv ? null : isbnFor(rng, code),
      ndc: topic.ndc,
      subject: topic.subject,
      series: rng.next() < 0.2 ? `${publisher === "岩波書店" ? "岩波ジュニア新書" : "暮らしの知恵シリーズ"}` : null,
      type: isAv ? "av" : "book",
      magazineTitle: null,
      issueLabel: null,
      issueDate: null,
      latestIssue: false,
    });
  }
  return out;
}

/** The real classics: a reprint edition of each, with an ISBN of its (demo) publisher. */
/** A classic as a catalog record with the given id and ISBN (the tests' catalog uses these too). */
export function classicMaterial(w: ClassicWork, id: number, isbn: string | null): DemoMaterial {
  return {
    id,
    title: w.title,
    titleKana: w.titleKana,
    author: w.author,
    authorKana: w.authorKana,
    publisher: w.publisher,
    year: w.year,
    isbn,
    ndc: w.ndc,
    subject: w.subject,
    series: w.series ?? null,
    type: "book",
    magazineTitle: null,
    issueLabel: null,
    issueDate: null,
    latestIssue: false,
  };
}

function classicMaterials(rng: Rng): DemoMaterial[] {
  return classics.map((w, i) => {
    const code = publisherCode(w.publisher);
    return classicMaterial(w, i + 1, code ? isbnFor(rng, code) : null);
  });
}

const STATUS_WEIGHTS: Array<[ItemStatus, number]> = [
  ["available", 0.74],
  ["on_loan", 0.17],
  ["in_transit", 0.02],
  ["processing", 0.02],
  ["missing", 0.03],
  ["damaged", 0.02],
];

function weightedStatus(rng: Rng): ItemStatus {
  let r = rng.next();
  for (const [status, w] of STATUS_WEIGHTS) {
    if (r < w) return status;
    r -= w;
  }
  return "available";
}

/** Copies of each material spread over the branches, with 禁帯出 reference works and lost copies. */
function copiesOf(rng: Rng, materials: DemoMaterial[]): DemoItem[] {
  const items: DemoItem[] = [];
  let id = 1;
  for (const m of materials) {
    const reference = /事典|百科|ハンドブック/.test(m.title) && rng.next() < 0.7;
    const count = m.type === "magazine" ? 1 : rng.int(1, 4);
    const allLost = rng.next() < 0.02;
    for (let n = 0; n < count; n++) {
      const branch =
        n === 0 || m.type === "magazine"
          ? rng.next() < 0.6
            ? "central"
            : rng.pick(DEMO_BRANCHES).code
          : rng.pick(DEMO_BRANCHES).code;
      const loanable = !reference && !(m.latestIssue && rng.next() < 0.5);
      const status: ItemStatus = allLost
        ? rng.next() < 0.5
          ? "missing"
          : "damaged"
        : loanable
          ? weightedStatus(rng)
          : "available";
      const mark = (m.authorKana ?? m.titleKana ?? "").slice(0, 1);
      items.push({
        id,
        materialId: m.id,
        branchCode: branch,
        barcode: `1${String(id).padStart(9, "0")}`,
        callNumber: `${(m.ndc ?? "").split(".")[0]}/${mark}`,
        status,
        loanable,
      });
      id++;
    }
  }
  return items;
}

export interface DemoCatalog {
  materials: DemoMaterial[];
  items: DemoItem[];
}

/** The classics plus generated materials up to `total`, and their copies. */
export function demoCatalog(total: number, seed = 20261128): DemoCatalog {
  const rng = prng(seed);
  const real = classicMaterials(rng);
  const materials = [...real, ...generated(rng, Math.max(0, total - real.length), real.length + 1)];
  return { materials, items: copiesOf(rng, materials) };
}

/** Opening days of the current and next year: closed Mondays, national holidays and 12/29–1/3. */
export function demoCalendar(firstYear: number): Array<{ date: string; open: boolean; note: string | null }> {
  const days: Array<{ date: string; open: boolean; note: string | null }> = [];
  // holiday_jp takes the date string as is, so no time zone can shift the day.
  const isHoliday = (date: string) => holidayJp.isHoliday(date);
  for (let d = `${firstYear}-01-01`; d < `${firstYear + 2}-01-01`; d = addDays(d, 1)) {
    const closed = isRegularClosingDay(d, isHoliday);
    const holiday = (holidayJp.holidays as Record<string, { name: string } | undefined>)[d];
    days.push({ date: d, open: !closed, note: holiday?.name ?? null });
  }
  return days;
}

/** The demo library's お知らせ (as staff would write them; dates are set at seed time). */
export const DEMO_NOTICES = [
  {
    title: "年末年始の休館について",
    body: "年末年始は全館休館します。休館中にお申し込みいただいた予約は、休館明けの開館日の朝に受け付けます。休館日は「開館日」のページでご確認ください。",
  },
  {
    title: "インターネット予約でできることが増えました",
    body: "受取館の変更、予約の保留、貸出の延長、返却期限のお知らせメール（ご希望の方）、読書記録（ご希望の方のみ）がホームページからできるようになりました。",
  },
];
