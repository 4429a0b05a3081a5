// The parts of the maintained MARC packages the fixture and benchmark writers use (they ship no types).
declare module "@natlibfi/marc-record" {
  export class MarcRecord {
    constructor(record: { leader: string; fields: unknown[] }, validation?: Record<string, boolean>);
  }
}
declare module "@natlibfi/marc-record-serializers/dist/iso2709.js" {
  export function to(record: import("@natlibfi/marc-record").MarcRecord): string;
}
declare module "@natlibfi/marc-record-serializers/dist/marcxml.js" {
  export function to(
    record: import("@natlibfi/marc-record").MarcRecord,
    options?: { omitDeclaration?: boolean; indent?: boolean },
  ): string;
}
