// Bigram search text for the FTS5 index (unicode61 tokenizer) and the MATCH expressions that query it.
// Japanese runs become overlapping bigrams plus their last character, so 1- and 2-character words match.
import { normalizeText, splitRuns } from "./normalize";

/** FTS5 columns of `material_fts`, in declaration order (bm25 weights follow this order). */
export const SEARCH_COLUMNS = ["title", "author", "publisher", "subject"] as const;
export type SearchColumn = (typeof SEARCH_COLUMNS)[number];

/** Tokens of one field for the index: 吾輩は猫 → 吾輩 輩は は猫 猫. */
export function indexTokens(text: string | null | undefined): string {
  if (!text) return "";
  const tokens: string[] = [];
  for (const run of splitRuns(normalizeText(text))) {
    if (run.kind === "word") {
      tokens.push(run.text);
      continue;
    }
    const chars = [...run.text];
    for (let i = 0; i + 1 < chars.length; i++) tokens.push(`${chars[i]}${chars[i + 1]}`);
    // The last character on its own lets a 1-character query and a run boundary match.
    tokens.push(chars[chars.length - 1] as string);
  }
  return tokens.join(" ");
}

/** Joins several fields into one column's search text. */
export function indexColumn(...fields: Array<string | null | undefined>): string {
  return fields
    .map(indexTokens)
    .filter((t) => t.length > 0)
    .join(" ");
}

export interface MaterialSearchSource {
  title: string;
  titleKana?: string | null;
  series?: string | null;
  magazineTitle?: string | null;
  author?: string | null;
  authorKana?: string | null;
  publisher?: string | null;
  subject?: string | null;
  ndc?: string | null;
}

/** The row of `material_search` for a material: one bigram text per FTS column. */
export function materialSearchRow(m: MaterialSearchSource): Record<SearchColumn, string> {
  return {
    title: indexColumn(m.title, m.titleKana, m.series, m.magazineTitle),
    author: indexColumn(m.author, m.authorKana),
    publisher: indexColumn(m.publisher),
    subject: indexColumn(m.subject),
  };
}

/** Normalised title and reading, for ranking exact and prefix title matches first. */
export function titleNorm(title: string, titleKana?: string | null): string {
  return [normalizeText(title), titleKana ? normalizeText(titleKana).replaceAll(" ", "") : ""].filter(Boolean).join("\n");
}

/** Sort key for 「タイトル順」: the reading when known, else the title, normalised. */
export function titleSortKey(title: string, titleKana?: string | null): string {
  return normalizeText(titleKana || title).replaceAll(" ", "");
}

/** Splits what a patron typed into terms (every term must match), each normalised. */
export function queryTerms(query: string): string[] {
  return query
    .normalize("NFKC")
    .split(/\s+/u)
    .map((t) => normalizeText(t))
    .filter((t) => splitRuns(t).length > 0);
}

/**
 * One term as an FTS5 phrase. Runs of 2+ Japanese characters become their bigrams (adjacent in the
 * phrase); a run that is followed by another run also needs its last character, as the index has it;
 * a final single character or a final word of 3+ letters is matched as a prefix.
 */
export function termPhrase(term: string): string {
  const runs = splitRuns(term);
  const tokens: string[] = [];
  let prefix = false;
  runs.forEach((run, i) => {
    const last = i === runs.length - 1;
    if (run.kind === "word") {
      tokens.push(run.text);
      prefix = last && [...run.text].length >= 3;
      return;
    }
    const chars = [...run.text];
    if (chars.length === 1) {
      tokens.push(run.text);
      prefix = last;
      return;
    }
    for (let j = 0; j + 1 < chars.length; j++) tokens.push(`${chars[j]}${chars[j + 1]}`);
    if (!last) tokens.push(chars[chars.length - 1] as string);
    prefix = false;
  });
  // Tokens hold only letters and digits, so quoting them cannot break out of the phrase.
  return `"${tokens.join(" ")}"${prefix ? " *" : ""}`;
}

export interface FieldedQuery {
  q?: string;
  title?: string;
  author?: string;
  publisher?: string;
}

/**
 * The whole MATCH expression, or undefined when no text was given (filters only). `keywordColumn`
 * restricts the keyword terms to one column (the "found in the title" tier of the ranking).
 */
export function matchExpression(query: FieldedQuery, keywordColumn?: SearchColumn): string | undefined {
  const parts: string[] = [];
  const add = (text: string | undefined, column?: SearchColumn) => {
    if (!text) return;
    for (const term of queryTerms(text)) parts.push(column ? `${column} : ${termPhrase(term)}` : termPhrase(term));
  };
  add(query.q, keywordColumn);
  add(query.title, "title");
  add(query.author, "author");
  add(query.publisher, "publisher");
  return parts.length > 0 ? parts.join(" AND ") : undefined;
}
