// The library's password rule (4–8 half-width letters or digits) and the refusal of the guessable within it.
import { describe, expect, it } from "vitest";
import { newPasswordProblem, type PasswordContext } from "../../src/domain/password-policy";

const ctx: PasswordContext = { cardNumber: "3948152607", currentPassword: "kari7391" };

describe("newPasswordProblem", () => {
  it.each(["Neko2026", "ab3x9q", "Yomu2718", "h7Kq", "q8w2z5x1"])(
    "accepts %s, a password within the rule nobody guesses first",
    (p) => {
      expect(newPasswordProblem(p, ctx)).toBeUndefined();
    },
  );

  it.each([
    ["3 characters", "ab3"],
    ["9 characters", "abcd12345"],
    ["full-width kana", "パス1234"],
    ["full-width digits", "ｎｅｋｏ２０２６"],
    ["a symbol", "abc!1234"],
    ["a space", "ab 12cd"],
    ["the empty string", ""],
  ])("refuses %s: only 4 to 8 half-width letters and digits are allowed", (_what, p) => {
    expect(newPasswordProblem(p, ctx)).toBe("パスワードは半角英数字4〜8文字で入力してください。");
  });

  it("refuses the card number itself when it fits the rule", () => {
    expect(newPasswordProblem("39481526", { cardNumber: "39481526" })).toMatch(/利用者番号/);
  });

  it.each(["48152607", "3948", "94815260", "8152"])("refuses %s, a part of the card number", (p) => {
    expect(newPasswordProblem(p, ctx)).toMatch(/利用者番号/);
  });

  it.each(["kari7391", "KARI7391", "Kari7391"])("refuses %s, the current (temporary) password in any letter case", (p) => {
    expect(newPasswordProblem(p, ctx)).toMatch(/仮パスワード/);
  });

  it("accepts a password without a current one in the context (nothing to compare)", () => {
    expect(newPasswordProblem("Neko2026", { cardNumber: "3948152607" })).toBeUndefined();
  });

  it.each(["0000", "aaaa", "AAAAAAAA", "77777"])("refuses %s, one character repeated", (p) => {
    expect(newPasswordProblem(p, ctx)).toMatch(/くり返し/);
  });

  it.each(["1212", "abab", "123123", "xyzxyz", "Ab1Ab1", "a1a1a1a1"])("refuses %s, a short pattern repeated", (p) => {
    expect(newPasswordProblem(p, ctx)).toMatch(/くり返し/);
  });

  it.each(["1234", "4321", "abcd", "DCBA", "6789", "12345678", "87654321", "AbCdE"])(
    "refuses %s, a run of consecutive characters up or down",
    (p) => {
      expect(newPasswordProblem(p, ctx)).toMatch(/連続/);
    },
  );

  it.each(["password", "PASSWORD", "qwerty", "1q2w3e4r", "abc123", "abcd1234", "letmein", "toshokan"])(
    "refuses %s, one of the most common short passwords (any letter case)",
    (p) => {
      expect(newPasswordProblem(p, ctx)).toMatch(/よく使われる/);
    },
  );

  it("explains every refusal in Japanese", () => {
    for (const p of ["ab", "3948", "kari7391", "0000", "1212", "1234", "password"]) {
      expect(newPasswordProblem(p, ctx)).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });
});
