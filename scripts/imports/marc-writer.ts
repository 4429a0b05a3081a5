// Writes MARC 21 records with the maintained serializer (@natlibfi/marc-record-serializers), so the
// service's own readers are tested against files an independent implementation wrote.
import { MarcRecord } from "@natlibfi/marc-record";
import * as Iso2709 from "@natlibfi/marc-record-serializers/dist/iso2709.js";
import * as MarcXml from "@natlibfi/marc-record-serializers/dist/marcxml.js";

export interface Field {
  tag: string;
  value?: string;
  ind1?: string;
  ind2?: string;
  subfields?: Array<{ code: string; value: string }>;
}

const record = (leader: string, fields: Field[]) => new MarcRecord({ leader, fields }, { subfieldValues: false, fields: false });

export const iso2709 = (leader: string, fields: Field[]): string => Iso2709.to(record(leader, fields));

export const marcXml = (leader: string, fields: Field[]): string => MarcXml.to(record(leader, fields), { omitDeclaration: true });

/** A JAPAN/MARC MARC21-shaped record: 880 readings linked by $6, NDC in 084 $2 njb/10, holdings in 852. */
export interface Bib {
  id: string;
  title: string;
  titleKana?: string;
  authors?: Array<{ name: string; kana?: string }>;
  publisher?: string;
  year?: number;
  isbn?: string;
  ndc?: string;
  subjects?: string[];
  series?: { name: string; volume?: string };
  leader?: string;
  holdings?: Array<{ branch: string; barcode: string; callNumber?: string; note?: string }>;
  holdingsTag?: "852" | "949";
}

export function bibFields(b: Bib): Field[] {
  const f: Field[] = [
    { tag: "001", value: b.id },
    { tag: "008", value: `261202s${b.year ?? "    "}    ja            000 0 jpn  ` },
  ];
  if (b.isbn) f.push({ tag: "020", ind1: " ", ind2: " ", subfields: [{ code: "a", value: b.isbn }] });
  if (b.ndc)
    f.push({
      tag: "084",
      ind1: " ",
      ind2: " ",
      subfields: [
        { code: "a", value: b.ndc },
        { code: "2", value: "njb/10" },
      ],
    });
  let link = 1;
  const linked = (tag: string, ind1: string, ind2: string, subfields: Array<{ code: string; value: string }>, kana?: string) => {
    if (!kana) {
      f.push({ tag, ind1, ind2, subfields });
      return;
    }
    const n = String(link++).padStart(2, "0");
    f.push({ tag, ind1, ind2, subfields: [{ code: "6", value: `880-${n}` }, ...subfields] });
    f.push({
      tag: "880",
      ind1,
      ind2,
      subfields: [
        { code: "6", value: `${tag}-${n}/$1` },
        { code: "a", value: kana },
      ],
    });
  };
  const [first, ...others] = b.authors ?? [];
  if (first) linked("100", "1", " ", [{ code: "a", value: `${first.name},` }], first.kana);
  linked(
    "245",
    "1",
    "0",
    [
      { code: "a", value: `${b.title} /` },
      { code: "c", value: b.authors?.map((a) => a.name).join(", ") ?? "" },
    ],
    b.titleKana,
  );
  if (b.publisher || b.year)
    f.push({
      tag: "264",
      ind1: " ",
      ind2: "1",
      subfields: [
        { code: "a", value: "東京 :" },
        { code: "b", value: `${b.publisher ?? ""},` },
        { code: "c", value: `${b.year ?? ""}.` },
      ],
    });
  if (b.series)
    f.push({
      tag: "490",
      ind1: "0",
      ind2: " ",
      subfields: [
        { code: "a", value: `${b.series.name} ;` },
        ...(b.series.volume ? [{ code: "v", value: b.series.volume }] : []),
      ],
    });
  for (const s of b.subjects ?? [])
    f.push({
      tag: "650",
      ind1: " ",
      ind2: "7",
      subfields: [
        { code: "a", value: s },
        { code: "2", value: "ndlsh" },
      ],
    });
  for (const a of others) linked("700", "1", " ", [{ code: "a", value: `${a.name},` }], a.kana);
  for (const h of b.holdings ?? []) {
    if ((b.holdingsTag ?? "852") === "852")
      f.push({
        tag: "852",
        ind1: " ",
        ind2: " ",
        subfields: [
          { code: "b", value: h.branch },
          { code: "h", value: h.callNumber ?? "" },
          { code: "p", value: h.barcode },
          ...(h.note ? [{ code: "z", value: h.note }] : []),
        ],
      });
    else
      f.push({
        tag: "949",
        ind1: " ",
        ind2: " ",
        subfields: [
          { code: "a", value: h.branch },
          { code: "b", value: h.barcode },
          { code: "c", value: h.callNumber ?? "" },
          ...(h.note ? [{ code: "e", value: h.note }] : []),
        ],
      });
  }
  return f;
}

export const BOOK_LEADER = "00000nam a2200000 i 4500";
