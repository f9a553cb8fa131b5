import { describe, expect, it } from "vitest";
import { COOKIE, Sessions, tokenFrom } from "../src/server/session.js";

const key = { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret/with+chars" };

describe("Sessions", () => {
  it("accepts the region's key only, both halves", () => {
    const s = new Sessions(key);
    expect(s.checkLogin("AKIAEXAMPLE", "secret/with+chars")).toBe(true);
    expect(s.checkLogin("AKIAEXAMPLE", "secret/with+chars ")).toBe(false);
    expect(s.checkLogin("AKIAOTHER", "secret/with+chars")).toBe(false);
    expect(s.checkLogin("", "")).toBe(false);
  });

  it("validates its own tokens, not forged, altered, foreign or expired ones", () => {
    let now = 1_000_000;
    const s = new Sessions(key, () => now);
    const token = s.issue();
    expect(s.valid(token)).toBe(true);
    const [expiry, nonce, mac] = token.split(".") as [string, string, string];
    expect(s.valid(`${Number(expiry) + 1}.${nonce}.${mac}`)).toBe(false);
    expect(s.valid(`${expiry}.${nonce}.${mac.slice(1)}`)).toBe(false);
    expect(s.valid(new Sessions(key, () => now).issue())).toBe(false);
    expect(s.valid(undefined)).toBe(false);
    expect(s.valid("garbage")).toBe(false);
    now += 13 * 60 * 60 * 1000;
    expect(s.valid(token)).toBe(false);
  });

  it("sets an HttpOnly, SameSite=Strict cookie and finds it among others", () => {
    const s = new Sessions(key);
    const token = s.issue();
    expect(s.cookie(token)).toMatch(
      /^console_session=.+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/,
    );
    expect(tokenFrom(`a=1; ${COOKIE}=${token}; b=2`)).toBe(token);
    expect(tokenFrom("a=1")).toBeUndefined();
    expect(tokenFrom(undefined)).toBeUndefined();
  });
});
