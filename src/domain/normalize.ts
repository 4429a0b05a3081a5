// Normalisation of Japanese catalog text, applied the same way to what is indexed and to what a patron types.

/** Old and variant kanji folded to the form patrons type (森鷗外 → 森鴎外); both sides are folded. */
const KANJI_VARIANTS: Record<string, string> = {
  鷗: "鴎",
  櫻: "桜",
  澤: "沢",
  邊: "辺",
  邉: "辺",
  齋: "斎",
  齊: "斉",
  髙: "高",
  﨑: "崎",
  國: "国",
  學: "学",
  會: "会",
  藝: "芸",
  龍: "竜",
  廣: "広",
  濱: "浜",
  圖: "図",
  體: "体",
  眞: "真",
  惠: "恵",
  條: "条",
  實: "実",
  壽: "寿",
  與: "与",
  獨: "独",
  舊: "旧",
  聲: "声",
  萬: "万",
  變: "変",
  戀: "恋",
  傳: "伝",
  嶋: "島",
  嶌: "島",
  兒: "児",
  臺: "台",
  繪: "絵",
  氣: "気",
  發: "発",
  爲: "為",
  譯: "訳",
  讀: "読",
  鐵: "鉄",
};

const KATAKANA_START = 0x30a1;
const KATAKANA_END = 0x30f6;

/** Characters of Japanese writing that are cut into bigrams (kanji, kana, iteration marks). */
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}々〆ヶ]/u;
/** Any other letter or digit: kept in whole words (ISBN, "SF", "3D", "Harry"). */
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

export const isCjkChar = (ch: string): boolean => CJK_CHAR.test(ch);
export const isWordChar = (ch: string): boolean => WORD_CHAR.test(ch);

/**
 * NFKC (full/half width), lower case, katakana → hiragana, iteration marks spelt out, variant kanji
 * folded, long vowel marks and 中黒 dropped, and white space and punctuation between Japanese characters
 * removed (夏目 漱石 = 夏目漱石, 「いき」の構造 = いきの構造). Other white space is collapsed to one space.
 */
export function normalizeText(input: string): string {
  const nfkc = input.normalize("NFKC").toLowerCase();
  let out = "";
  for (const raw of nfkc) {
    let ch = raw;
    const code = ch.codePointAt(0) ?? 0;
    if (code >= KATAKANA_START && code <= KATAKANA_END) ch = String.fromCodePoint(code - 0x60);
    else if (ch === "ヽ") ch = "ゝ";
    else if (ch === "ヾ") ch = "ゞ";
    ch = KANJI_VARIANTS[ch] ?? ch;
    if (ch === "ー" || ch === "・") continue;
    if (ch === "ゝ" || ch === "ゞ") {
      // Spell out the iteration mark so すゝめ matches すすめ (ゞ adds the voicing mark).
      const prev = [...out].at(-1);
      if (prev && isCjkChar(prev)) ch = ch === "ゞ" ? `${prev}\u3099`.normalize("NFC") : prev;
      else continue;
    }
    out += ch;
  }
  return collapseSpaces(out);
}

const CJK = "[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}々〆ヶ]";
/** Spaces and punctuation between two Japanese characters: 「いき」の構造 = いきの構造, ああ、無情 = ああ無情. */
const BETWEEN_JAPANESE = new RegExp(`(?<=${CJK})[^\\p{L}\\p{N}\\p{M}]+(?=${CJK})`, "gu");

function collapseSpaces(text: string): string {
  return text.replace(BETWEEN_JAPANESE, "").replace(/\s+/gu, " ").trim();
}

/** A run of characters of one kind: Japanese text (cut into bigrams) or a whole word. */
export interface Run {
  kind: "cjk" | "word";
  text: string;
}

/** Splits normalised text into runs; anything that is neither a letter nor a digit separates runs. */
export function splitRuns(normalized: string): Run[] {
  const runs: Run[] = [];
  let current: Run | undefined;
  for (const ch of normalized) {
    const kind = isCjkChar(ch) ? "cjk" : isWordChar(ch) ? "word" : undefined;
    if (!kind) {
      current = undefined;
      continue;
    }
    if (current && current.kind === kind) current.text += ch;
    else {
      current = { kind, text: ch };
      runs.push(current);
    }
  }
  return runs;
}
