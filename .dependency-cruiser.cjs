// The import graph of the Worker (npm run graph, part of npm test): no cycles, and the layering of
// docs/architecture.md — features sit on top; nothing below them imports a feature; the lifecycle room
// (src/reservations) and the domain know nothing of HTTP, pages or jobs.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle hides which module a rule lives in.",
      from: {},
      to: { circular: true },
    },
    {
      name: "nothing-below-imports-features",
      severity: "error",
      comment: "features → reservations/domain/db (and auth, mail, jobs, objects, views); never the other way.",
      from: { path: "^src/(?!features/)", pathNot: "^src/app\\.tsx$" },
      to: { path: "^src/features/" },
    },
    {
      name: "domain-is-pure",
      severity: "error",
      comment: "The library's rules are plain functions: no database, HTTP, jobs, mail or views.",
      from: { path: "^src/domain/" },
      to: { path: "^src/(?!domain/)" },
    },
    {
      name: "room-knows-no-http",
      severity: "error",
      comment: "The lifecycle room takes db and returns outcome codes: no Hono, no pages, no jobs, mail or objects.",
      from: { path: "^src/reservations/" },
      to: { path: ["^src/(features|jobs|mail|objects|views|auth)/", "^src/(app|index|errors|env)\\.tsx?$", "node_modules/hono"] },
    },
    {
      name: "jobs-mail-objects-no-hono",
      severity: "error",
      comment: "Jobs, mail, imports and Durable Objects run outside a request: no Hono context.",
      from: { path: "^src/(jobs|mail|objects|imports)/" },
      to: { path: "node_modules/hono" },
    },
    {
      name: "reading-record-is-the-patrons-own",
      severity: "error",
      comment: "読書記録 is read only by the patron's own pages and /me API: nothing else imports it.",
      from: { pathNot: ["^src/features/account/reading-record", "^src/app\\.tsx$"] },
      to: { path: "^src/features/account/reading-record" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
