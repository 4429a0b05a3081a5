// The jobs' schedule: Tokyo times in one place, UTC crons derived from them, which run a cron or a hand stands for.
import { describe, expect, it } from "vitest";
import { acceptanceSlot, cronOf, cronsOf, jobOfCron, parseSchedule, scheduleOf, tokyoInstant } from "../../src/jobs/schedule";

const two = scheduleOf({ ACCEPTANCE_TIMES: "18:00, 08:30", NIGHTLY_TIME: "02:00" });

describe("schedule", () => {
  it.each([
    ["07:30", "30 22 * * *"],
    ["08:30", "30 23 * * *"],
    ["09:00", "0 0 * * *"],
    ["18:00", "0 9 * * *"],
    ["02:00", "0 17 * * *"],
    ["00:05", "5 15 * * *"],
    ["23:59", "59 14 * * *"],
  ])("%s in Tokyo is the UTC cron %s", (time, cron) => {
    expect(cronOf(time)).toBe(cron);
  });

  it("sorts the acceptance times and lists their crons before the nightly one", () => {
    expect(two.acceptance).toEqual(["08:30", "18:00"]);
    expect(cronsOf(two)).toEqual(["30 23 * * *", "0 9 * * *", "0 17 * * *"]);
  });

  it("knows which job and which acceptance run a cron is", () => {
    expect(jobOfCron(two, "30 23 * * *")).toEqual({ job: "acceptance", slot: "08:30" });
    expect(jobOfCron(two, "0 9 * * *")).toEqual({ job: "acceptance", slot: "18:00" });
    expect(jobOfCron(two, "0 17 * * *")).toEqual({ job: "nightly", slot: "" });
    expect(jobOfCron(two, "30 22 * * *")).toBeUndefined();
  });

  it.each([
    [{ ACCEPTANCE_TIMES: "", NIGHTLY_TIME: "02:00" }, ["ACCEPTANCE_TIMES"]],
    [{ ACCEPTANCE_TIMES: "7:30", NIGHTLY_TIME: "02:00" }, ["ACCEPTANCE_TIMES"]],
    [{ ACCEPTANCE_TIMES: "08:30,08:30", NIGHTLY_TIME: "02:00" }, ["ACCEPTANCE_TIMES"]],
    [{ ACCEPTANCE_TIMES: "24:00", NIGHTLY_TIME: "2時" }, ["ACCEPTANCE_TIMES", "NIGHTLY_TIME"]],
  ])("refuses the vars %j, naming %j", (vars, bad) => {
    expect(parseSchedule(vars)).toEqual({ ok: false, bad });
  });

  it("a hand-run stands for today's run already due, a past day's last run, a future day's first", () => {
    const at = (iso: string) => Date.parse(iso);
    expect(acceptanceSlot(two, "2026-12-03", at("2026-12-03T07:00:00+09:00"))).toBe("08:30");
    expect(acceptanceSlot(two, "2026-12-03", at("2026-12-03T12:00:00+09:00"))).toBe("08:30");
    expect(acceptanceSlot(two, "2026-12-03", at("2026-12-03T18:00:00+09:00"))).toBe("18:00");
    expect(acceptanceSlot(two, "2026-12-02", at("2026-12-03T07:00:00+09:00"))).toBe("18:00");
    expect(acceptanceSlot(two, "2026-12-04", at("2026-12-03T20:00:00+09:00"))).toBe("08:30");
  });

  it("a Tokyo date and time is the instant 9 hours earlier in UTC", () => {
    expect(tokyoInstant("2026-12-03", "07:30")).toBe(Date.UTC(2026, 11, 2, 22, 30));
  });
});
