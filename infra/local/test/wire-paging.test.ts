import { describe, expect, it } from "vitest";
import { AwsError } from "../src/contracts.js";
import { pageOffset, pageToken, paginate } from "../src/wire/paging.js";
import { codeOf } from "./aws-error.js";

// The one paging helper every Describe/List operation uses.

const invalid = () => new AwsError("InvalidNextToken", "The pagination token is invalid");
describe("paging", () => {
  it("walks a list page by page with opaque tokens until the last page has none", () => {
    const all = ["a", "b", "c", "d", "e"];
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = paginate(all, { size: 2, token }, invalid);
      seen.push(...page.items);
      token = page.next;
      pages++;
    } while (token);
    expect(seen).toEqual(all);
    expect(pages).toBe(3);
    expect(paginate(all, {}, invalid)).toEqual({ items: all, next: undefined });
    expect(paginate(all, { size: 2, token: "" }, invalid).items).toEqual(["a", "b"]);
  });

  it("answers a token it did not hand out, or one past the end, with the service's error", () => {
    expect(codeOf(() => paginate([1, 2], { size: 1, token: "bogus" }, invalid))).toBe("InvalidNextToken");
    expect(codeOf(() => paginate([1, 2], { size: 1, token: pageToken(3) }, invalid))).toBe(
      "InvalidNextToken",
    );
    expect(pageOffset(pageToken(7), invalid)).toBe(7);
    expect(codeOf(() => pageOffset("f/1", invalid))).toBe("InvalidNextToken");
  });
});
