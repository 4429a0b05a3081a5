// Real public-domain Japanese works for the demo catalog (classics.json): bibliographic facts, readings in katakana.
import data from "./classics.json";

export interface ClassicWork {
  title: string; // e.g. "吾輩は猫である"
  titleKana: string; // full-width katakana reading, words separated by spaces, e.g. "ワガハイ ハ ネコ デ アル"
  author: string; // family name, space, given name, e.g. "夏目 漱石"
  authorKana: string; // e.g. "ナツメ ソウセキ"
  year: number; // year of first publication (book form or serialisation)
  ndc: string; // NDC 10th-edition class, e.g. "913.6"
  subject: string; // short subject heading / genre, e.g. "小説", "童話", "詩", "随筆"
  series?: string; // series a modern reprint appears in, e.g. "岩波文庫"
  publisher: string; // publisher of a modern reprint, e.g. "岩波書店"
}

export const classics: ClassicWork[] = data;
