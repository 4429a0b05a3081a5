// The catalog's version (one row, migration 0009): every write that changes what catalog pages show
// besides availability — a material, a copy added, moved, withdrawn or changed by staff, a branch, an
// opening day — bumps it in the same batch. Cached catalog pages and the per-isolate branch and calendar
// caches key on it (features/catalog/reference.ts, http/edge-cache.ts). Lending, holds and returns do
// not: availability on a cached page may lag by the cache's lifetime (docs/caching.md).
import type { D1 } from "./client";

export const bumpCatalog = (db: D1) => db.prepare("UPDATE catalog_version SET version = version + 1 WHERE id = 1");
