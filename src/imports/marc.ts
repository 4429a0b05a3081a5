// MARC 21 records as the import reads them: ISO 2709 (byte-exact directory) and MARCXML, UTF-8.
// Our own small readers, not a package's: see docs/imports.md ("Why our own MARC readers").

export interface ControlField {
  tag: string;
  value: string;
}
export interface DataField {
  tag: string;
  ind1: string;
  ind2: string;
  subfields: Array<{ code: string; value: string }>;
}
export interface MarcRecord {
  leader: string;
  fields: Array<ControlField | DataField>;
}

/** A record that cannot be read; the message is the Japanese reason staff see. */
export class MarcError extends Error {}

const FIELD_END = 0x1e;
const SUBFIELD = 0x1f;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

const isControlTag = (tag: string) => /^00\d$/.test(tag);
export const isDataField = (f: ControlField | DataField): f is DataField => "subfields" in f;

function text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new MarcError("文字コードが UTF-8 ではありません。");
  }
}

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));

/** One ISO 2709 record (without or with its record terminator): the directory counts bytes. */
export function parseIso2709(record: Uint8Array): MarcRecord {
  if (record.length < 25) throw new MarcError("MARCレコードが短すぎます。");
  const leader = ascii(record, 0, 24);
  const length = Number(leader.slice(0, 5));
  const base = Number(leader.slice(12, 17));
  if (!/^\d{5}$/.test(leader.slice(0, 5)) || !/^\d{5}$/.test(leader.slice(12, 17)) || base < 25 || base > record.length)
    throw new MarcError("MARCレコードのリーダーが正しくありません。");
  if (length !== record.length && length !== record.length + 1)
    throw new MarcError("MARCレコードの長さがリーダーと一致しません。");
  if (record[base - 1] !== FIELD_END) throw new MarcError("MARCレコードのディレクトリが正しくありません。");
  const fields: MarcRecord["fields"] = [];
  for (let d = 24; d + 12 <= base - 1; d += 12) {
    const entry = ascii(record, d, d + 12);
    if (!/^[0-9A-Za-z]{3}\d{9}$/.test(entry)) throw new MarcError("MARCレコードのディレクトリが正しくありません。");
    const tag = entry.slice(0, 3);
    const start = base + Number(entry.slice(7, 12));
    const end = start + Number(entry.slice(3, 7));
    if (end > record.length || record[end - 1] !== FIELD_END)
      throw new MarcError(`MARCレコードのフィールド ${tag} の位置が正しくありません。`);
    const body = record.subarray(start, end - 1);
    if (isControlTag(tag)) {
      fields.push({ tag, value: text(body) });
      continue;
    }
    const ind = ascii(body, 0, 2).padEnd(2, " ");
    const subfields: DataField["subfields"] = [];
    let i = body.indexOf(SUBFIELD);
    while (i !== -1 && i + 1 < body.length) {
      const next = body.indexOf(SUBFIELD, i + 1);
      const part = body.subarray(i + 1, next === -1 ? body.length : next);
      subfields.push({ code: String.fromCharCode(part[0] as number), value: text(part.subarray(1)) });
      i = next;
    }
    fields.push({ tag, ind1: ind[0] as string, ind2: ind[1] as string, subfields });
  }
  return { leader, fields };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, c: string) => c.replace(/[&<]/g, (ch) => (ch === "&" ? "&amp;" : "&lt;")))
    .replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
      if (e.startsWith("#x")) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
      if (e.startsWith("#")) return String.fromCodePoint(Number(e.slice(1)));
      return ENTITIES[e] ?? m;
    });
}

const attr = (attrs: string, name: string) =>
  new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`)
    .exec(attrs)
    ?.slice(1)
    .find((v) => v !== undefined);

/** One `<record>` element of MARCXML (any namespace prefix, attributes in any order). */
export function parseMarcXml(xml: string): MarcRecord {
  const p = "(?:[\\w.-]+:)?";
  const leader = new RegExp(`<${p}leader\\s*>([\\s\\S]*?)</${p}leader\\s*>`).exec(xml)?.[1];
  if (leader === undefined) throw new MarcError("MARCXMLのレコードに leader がありません。");
  const fields: MarcRecord["fields"] = [];
  const field = new RegExp(`<${p}(controlfield|datafield)\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${p}\\1\\s*>)`, "g");
  for (const m of xml.matchAll(field)) {
    const [, kind, attrs = "", inner = ""] = m;
    const tag = attr(attrs, "tag");
    if (!tag || !/^[0-9A-Za-z]{3}$/.test(tag)) throw new MarcError("MARCXMLのフィールドに正しい tag がありません。");
    if (kind === "controlfield") {
      fields.push({ tag, value: unescapeXml(inner) });
      continue;
    }
    const subfields: DataField["subfields"] = [];
    for (const s of inner.matchAll(new RegExp(`<${p}subfield\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${p}subfield\\s*>)`, "g"))) {
      const code = attr(s[1] ?? "", "code");
      if (!code) throw new MarcError(`MARCXMLのフィールド ${tag} のサブフィールドに code がありません。`);
      subfields.push({ code, value: unescapeXml(s[2] ?? "") });
    }
    fields.push({
      tag,
      ind1: (attr(attrs, "ind1") ?? " ").padEnd(1, " "),
      ind2: (attr(attrs, "ind2") ?? " ").padEnd(1, " "),
      subfields,
    });
  }
  return { leader: unescapeXml(leader).padEnd(24, " "), fields };
}
