// Inputs around login that could be turned against patrons: where to go back to, and how addresses are counted.
import { describe, expect, it } from "vitest";
import { addressGroup } from "../../src/auth/address";
import { newPasswordProblem } from "../../src/domain/password-policy";
import { localPath } from "../../src/features/account/schemas";

describe("localPath", () => {
  it.each(["/account", "/cart/confirm", "/search?q=%E7%8C%AB&page=2", "/materials/12"])(
    "keeps the path on this site: %s",
    (p) => {
      expect(localPath(p)).toBe(p);
    },
  );

  it.each([
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https://evil.example",
    "evil",
    "/\u3000",
    "",
    42,
  ])("refuses anything a browser could read as another site: %j", (p) => {
    expect(localPath(p)).toBeUndefined();
  });
});

describe("addressGroup", () => {
  it("counts IPv4 addresses one by one", () => expect(addressGroup("203.0.113.7")).toBe("203.0.113.7"));

  it("counts IPv6 addresses by their /64, however they are written", () => {
    expect(addressGroup("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressGroup("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(addressGroup("2001:db8::1")).toBe("2001:db8:0:0::/64");
  });
});

describe("sequences round the keypad", () => {
  it.each(["7890", "9012", "890123", "3210", "0987"])("refuses %s", (p) => {
    expect(newPasswordProblem(p, { cardNumber: "2100000001" })).toMatch(/連続/);
  });
});
