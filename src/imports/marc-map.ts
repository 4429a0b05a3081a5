// MARC 21 bibliographic fields → the catalog's material and its copies (JAPAN/MARC MARC21 conventions:
// readings in 880 fields linked by $6, NDC in 084 with $2 njb/…). The mapping is in docs/imports.md.

import type { HoldingSpec } from "./mapping";
import { type DataField, isDataField, type MarcRecord } from "./marc";
import { type CopyFields, type MaterialFields, RowError } from "./records";

const data = (r: MarcRecord, tag: string) => r.fields.filter((f): f is DataField => isDataField(f) && f.tag === tag);
const sub = (f: DataField | undefined, codes: string) =>
  f?.subfields
    .filter((s) => codes.includes(s.code))
    .map((s) => s.value)
    .join(" ") ?? "";

/** ISBD punctuation at the end of a subfield (" /", " :", " ;", ".") is not part of the data. */
const trimIsbd = (s: string) => s.replace(/[\s]*[/:;=,.]+\s*$/u, "").trim();

/** 夏目, 漱石 → 夏目 漱石 (Japanese names are shown without the inverted comma). */
const personName = (s: string) => trimIsbd(s).replace(/,\s*/gu, " ");

/** The 880 field holding the reading (ヨミ) of a field, linked by $6 "880-nn" ↔ "245-nn". */
function readingOf(r: MarcRecord, f: DataField | undefined): DataField | undefined {
  if (!f) return undefined;
  const link = f.subfields.find((s) => s.code === "6")?.value;
  const occurrence = link ? /^880-(\d{2})/.exec(link)?.[1] : undefined;
  return data(r, "880").find((g) => {
    const back = g.subfields.find((s) => s.code === "6")?.value ?? "";
    return occurrence ? back.startsWith(`${f.tag}-${occurrence}`) : back.startsWith(`${f.tag}-`);
  });
}

const title = (f: DataField | undefined) => {
  const main = [sub(f, "a"), sub(f, "n"), sub(f, "p")].map(trimIsbd).filter(Boolean).join(" ");
  const rest = trimIsbd(sub(f, "b"));
  return rest ? `${main} : ${rest}` : main;
};

function typeOf(leader: string): string {
  const kind = leader[6];
  if (leader[7] === "s") return "magazine";
  if (kind === "a" || kind === "t") return "book";
  if (kind === "k") return "kamishibai";
  if (kind && "gijmor".includes(kind)) return "av";
  return "other";
}

/** NDC: 084 with $2 njb/ndc first, then any 084, then 082. */
function ndcOf(r: MarcRecord): string {
  const f084 = data(r, "084");
  const ndc = f084.find((f) => /njb|ndc/i.test(sub(f, "2"))) ?? f084[0] ?? data(r, "082")[0];
  return sub(ndc, "a").split(" ")[0] ?? "";
}

export interface MarcRow {
  fields: MaterialFields;
  /** Leader/05 = d: the library deleted the record; its copies are withdrawn. */
  deleted: boolean;
  copies: CopyFields[];
  /** Whether the record carried holdings fields at all (then copies it no longer lists are withdrawn). */
  hasHoldings: boolean;
}

export function marcRow(r: MarcRecord, holdings: HoldingSpec[]): MarcRow {
  const control = (tag: string) => r.fields.find((f) => !isDataField(f) && f.tag === tag);
  const sourceId = control("001");
  if (!sourceId || isDataField(sourceId) || sourceId.value.trim() === "")
    throw new RowError("001（レコード管理番号）がありません。");
  const f245 = data(r, "245")[0];
  const names = [...data(r, "100"), ...data(r, "110"), ...data(r, "700"), ...data(r, "710")];
  const authors = names.map((f) => personName(sub(f, "a"))).filter(Boolean);
  const readings = names.map((f) => personName(sub(readingOf(r, f), "a"))).filter(Boolean);
  const imprint = data(r, "264").find((f) => f.ind2 === "1") ?? data(r, "264")[0] ?? data(r, "260")[0];
  const f008 = control("008");
  const year = sub(imprint, "c") || (f008 && !isDataField(f008) ? f008.value.slice(7, 11) : "");
  const isbns = data(r, "020")
    .map((f) => sub(f, "a"))
    .filter(Boolean);
  const subjects = [...data(r, "650"), ...data(r, "600"), ...data(r, "610"), ...data(r, "651")]
    .map((f) =>
      f.subfields
        .filter((s) => "axyz".includes(s.code))
        .map((s) => trimIsbd(s.value))
        .join("-"),
    )
    .filter(Boolean);
  const seriesField = data(r, "830")[0] ?? data(r, "490")[0];
  const series = [trimIsbd(sub(seriesField, "a")), trimIsbd(sub(seriesField, "v"))].filter(Boolean).join(" ; ");
  const copies: CopyFields[] = [];
  let hasHoldings = false;
  for (const spec of holdings)
    for (const f of data(r, spec.tag)) {
      hasHoldings = true;
      copies.push({
        barcode: sub(f, spec.barcode),
        materialSourceId: sourceId.value.trim(),
        branch: sub(f, spec.branch),
        callNumber: spec.callNumber ? sub(f, spec.callNumber) : "",
        status: spec.status ? sub(f, spec.status) : "",
        notLoanable: spec.notLoanable
          ? /禁帯出|館内/.test(sub(f, spec.notLoanable))
            ? "禁帯出"
            : sub(f, spec.notLoanable).trim() === "1"
              ? "1"
              : ""
          : "",
      });
    }
  return {
    fields: {
      sourceId: sourceId.value.trim(),
      title: title(f245),
      titleKana: title(readingOf(r, f245)),
      author: authors.join("、") || trimIsbd(sub(f245, "c")),
      authorKana: readings.join("、"),
      publisher: trimIsbd(sub(imprint, "b")),
      year,
      isbn: isbns[0] ?? "",
      ndc: ndcOf(r),
      subject: subjects.join(" ; "),
      series,
      type: typeOf(r.leader),
    },
    deleted: r.leader[5] === "d",
    copies,
    hasHoldings,
  };
}
