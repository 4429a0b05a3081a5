// A material as it is written: the columns of `materials` (with the title's sort and match keys) and its
// `material_search` row. The staff API (one record) and the imports (a slice at a time) both write these.
import { materialSearchRow, titleNorm, titleSortKey } from "../domain/search-text";

export type MaterialInput = Record<string, unknown> & { title: string };

/** The `materials` columns of a record (snake_case), with the keys derived from its title and reading. */
export function materialColumns(m: MaterialInput, now: number): Record<string, unknown> {
  const kana = (m.titleKana as string | null | undefined) ?? null;
  return {
    title: m.title,
    title_kana: kana,
    author: m.author ?? null,
    author_kana: m.authorKana ?? null,
    publisher: m.publisher ?? null,
    year: m.year ?? null,
    isbn: m.isbn ?? null,
    ndc: m.ndc ?? null,
    subject: m.subject ?? null,
    series: m.series ?? null,
    type: m.type,
    magazine_title: m.magazineTitle ?? null,
    issue_label: m.issueLabel ?? null,
    issue_date: m.issueDate ?? null,
    latest_issue: m.latestIssue ? 1 : 0,
    title_sort: titleSortKey(m.title, kana),
    title_norm: titleNorm(m.title, kana),
    updated_at: now,
  };
}

/** The search row's four columns (see domain/search-text.ts). */
export const searchColumns = (m: MaterialInput) => materialSearchRow(m as Parameters<typeof materialSearchRow>[0]);

/** Upserts search rows (material_search → material_fts by triggers) for rows carrying `id` and the four columns. */
export const SEARCH_UPSERT_TAIL =
  "ON CONFLICT (material_id) DO UPDATE SET title = excluded.title, author = excluded.author, publisher = excluded.publisher, subject = excluded.subject";
