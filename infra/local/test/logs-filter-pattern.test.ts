import type { MetricTransformation } from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import {
  checkMetricTransformation,
  extract,
  FilterPatternError,
  INVALID_PATTERN,
  matches,
  metricDataFor,
  type PatternUse,
  parseFilterPattern,
} from "../src/services/logs/filter-pattern.js";

// CloudWatch Logs filter patterns, case by case. Two sources, named in each block:
// - the page, AWS's "Filter pattern syntax for metric filters, subscription filters, filter log
//   events, and Live Tail" (FilterAndPatternSyntax), its examples with the events they match (and
//   a few from the older edition of the page, said so);
// - the service, probes of the real TestMetricFilter and FilterLogEvents (us-east-1) published in
//   radkawar/stackd as testdata/aws/logs/filters.json: a corpus of events per syntax, each
//   pattern with the events it matched, or the error it got.

const match = (pattern: string, message: string) => matches(parseFilterPattern(pattern), message);

/** One pattern, several events (the page's "matches log event messages, such as" lists). */
function rows(pattern: string, table: [message: string, matches: boolean][]) {
  for (const [message, expected] of table) {
    expect({ message, matches: match(pattern, message) }).toEqual({ message, matches: expected });
  }
}

/** Several patterns, one event (the page's JSON examples are written this way round). */
function patternsAgainst(message: string, table: [pattern: string, matches: boolean][]) {
  for (const [pattern, expected] of table) {
    expect({ pattern, matches: match(pattern, message) }).toEqual({ pattern, matches: expected });
  }
}

/** A pattern over a probe corpus: the indexes of the events the service matched. */
function corpus(events: string[], pattern: string, matched: number[]) {
  const parsed = parseFilterPattern(pattern);
  const got = events.flatMap((event, i) => (matches(parsed, event) ? [i] : []));
  expect({ pattern, matched: got }).toEqual({ pattern, matched });
}

function rejection(pattern: string, use?: PatternUse): string {
  try {
    parseFilterPattern(pattern, use);
  } catch (error) {
    if (error instanceof FilterPatternError) {
      expect(error.code).toBe("InvalidParameterException");
      return error.message;
    }
    throw error;
  }
  throw new Error(`expected ${pattern} to be rejected`);
}

const ERRORS = [
  "[ERROR 400] BAD REQUEST",
  "[ERROR 401] UNAUTHORIZED REQUEST",
  "[ERROR 419] MISSING ARGUMENTS",
  "[ERROR 420] INVALID ARGUMENTS",
];

describe("unstructured log events: the page", () => {
  it("Example: Match a single term", () => {
    rows("ERROR", [...ERRORS.map((m): [string, boolean] => [m, true]), ["[INFO 200] OK", false]]);
  });

  it("Example: Match multiple terms", () => {
    rows("ERROR ARGUMENTS", [
      ["[ERROR 419] MISSING ARGUMENTS", true],
      ["[ERROR 420] INVALID ARGUMENTS", true],
      ["[ERROR 400] BAD REQUEST", false],
      ["[ERROR 401] UNAUTHORIZED REQUEST", false],
    ]);
  });

  it("Example: Match optional terms (`?`), and `?` ignored next to other terms", () => {
    rows("?ERROR ?ARGUMENTS", [...ERRORS.map((m): [string, boolean] => [m, true]), ["[INFO 200] OK", false]]);
    rows("?ERROR ?ARGUMENTS REQUEST", [
      ["[INFO] REQUEST FAILED", true],
      ["[WARN] UNAUTHORIZED REQUEST", true],
      ["[ERROR] 400 BAD REQUEST", true],
      ["[ERROR] MISSING ARGUMENTS", false],
    ]);
  });

  it("Example: Match exact phrases", () => {
    rows('"INTERNAL SERVER ERROR"', [
      ["[ERROR 500] INTERNAL SERVER ERROR", true],
      ["[ERROR 500] INTERNAL ERROR ON SERVER", false],
    ]);
  });

  it("Example: Include and exclude terms", () => {
    rows("ERROR -ARGUMENTS", [
      ["[ERROR 400] BAD REQUEST", true],
      ["[ERROR 401] UNAUTHORIZED REQUEST", true],
      ["[ERROR 419] MISSING ARGUMENTS", false],
      ["[ERROR 420] INVALID ARGUMENTS", false],
    ]);
  });

  it('Example: Match everything — `" "` is a phrase of one space, as the service shows', () => {
    rows('" "', [
      ["two words", true],
      ["oneword", false],
    ]);
    rows("", [
      ["anything", true],
      ["", true],
    ]);
    rows("   ", [["anything", true]]);
    expect(parseFilterPattern(undefined)).toEqual({ kind: "all" });
  });

  it("the older page: Examples 1-3", () => {
    rows("ERROR", [["Exiting with ERRORCODE: -1", true]]);
    rows("ERROR -Exiting", [
      ["[ERROR] A fatal exception has occurred", true],
      ["Exiting with ERRORCODE: -1", false],
    ]);
    rows("Failed to process the request", [
      ["[WARN] Failed to process the request", true],
      ["[ERROR] Failed to process", false],
    ]);
  });

  it("quoted phrases take backslash escapes, as AWS's CDK writes them", () => {
    rows('"say \\"hi\\""', [
      ['they say "hi" here', true],
      ["they say hi here", false],
    ]);
  });
});

// The probes' corpus of unstructured events.
const TERMS = [
  "ERROR ARGUMENTS REQUEST",
  "ERROR BAD REQUEST",
  "INFO ARGUMENTS",
  "INFO REQUEST",
  "error arguments request",
  "ERROR INTERNAL SERVER ERROR",
  "ERROR INTERNAL  SERVER ERROR",
  "INTERNAL SERVER error",
  "TERROR REQUEST",
  "[ERROR] REQUEST",
  "ERROR-REQUEST",
  "ERROR_ARGUMENTS",
  "ERROR\nARGUMENTS",
  "ARGUMENTS ERROR",
  "plain",
  'say "hello world" now',
  "hello-world",
  " ",
];

describe("unstructured log events: the service", () => {
  it("terms, phrases, `?` and `-` over the probe corpus", () => {
    const all = TERMS.map((_, i) => i);
    corpus(TERMS, "", all);
    corpus(TERMS, '" "', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 15, 17]);
    corpus(TERMS, "ERROR", [0, 1, 5, 6, 8, 9, 10, 11, 12, 13]);
    corpus(TERMS, "ERROR ARGUMENTS", [0, 11, 12, 13]);
    corpus(TERMS, "?ERROR ?ARGUMENTS", [0, 1, 2, 5, 6, 8, 9, 10, 11, 12, 13]);
    corpus(TERMS, "?ERROR ?ARGUMENTS REQUEST", [0, 1, 3, 8, 9, 10]);
    corpus(TERMS, "?ERROR ?ARGUMENTS -REQUEST", [2, 4, 5, 6, 7, 11, 12, 13, 14, 15, 16, 17]);
    corpus(TERMS, "ERROR -ARGUMENTS", [1, 5, 6, 8, 9, 10]);
    corpus(TERMS, "-ERROR", [2, 3, 4, 7, 14, 15, 16, 17]);
    corpus(TERMS, '"INTERNAL SERVER ERROR"', [5]);
    corpus(TERMS, "error", [4, 7]);
    corpus(TERMS, '"hello-world"', [16]);
    corpus(TERMS, 'ERROR -"BAD REQUEST"', [0, 5, 6, 8, 9, 10, 11, 12, 13]);
  });

  it("rejects a wildcard in a term and an unclosed quote", () => {
    expect(rejection("ERR*")).toBe("Invalid character(s) in term '*'");
    expect(rejection('"ERROR')).toBe("Invalid character(s) in term '\"ERROR'");
  });

  it("characters that need quotes, as CLI users met them (public issues and notes)", () => {
    expect(rejection("?Status: timeout")).toBe("Invalid character(s) in term ':'");
    expect(rejection("PlayerSpawnedInWorld (reason")).toBe("Invalid character(s) in term '('");
    expect(rejection("level\\:error")).toBe("Invalid character(s) in term '\\'");
    expect(rejection("`ERROR")).toBe("Invalid character(s) in term '`'");
    expect(rejection("ERROR - x")).toBe(INVALID_PATTERN);
  });
});

describe("regular expressions: the page", () => {
  it("Using filter patterns to match terms with a regular expression: %AUTHORIZED%", () => {
    rows("%AUTHORIZED%", [
      ["[ERROR 401] UNAUTHORIZED REQUEST", true],
      ["[SUCCESS 200] AUTHORIZED REQUEST", true],
      ["[SUCCESS 200] OK", false],
    ]);
  });

  it("Usage of supported operators, each of the page's examples", () => {
    rows("%^[hc]at%", [
      ["hat trick", true],
      ["cat nap", true],
      ["a hat", false],
    ]);
    rows("%[hc]at$%", [
      ["the cat", true],
      ["cats", false],
    ]);
    rows("%colou?r%", [
      ["color", true],
      ["colour", true],
    ]);
    rows("%[abcx-z]%", [
      ["y", true],
      ["d", false],
    ]);
    rows("%^a{3,5}$%", [
      ["aaa", true],
      ["aaaaa", true],
      ["aa", false],
      ["aaaaaa", false],
    ]);
    rows("%^a{,2}b$%", [
      ["b", true],
      ["aab", true],
      ["aaab", false],
    ]);
    rows("%gra|ey%", [
      ["gray", true],
      ["grey", true],
    ]);
    rows("%^starting|^initializing|^shutting down%", [
      ["starting ...", true],
      ["initializing ...", true],
      ["shutting down", true],
      ["skipping initializing ...", false],
    ]);
    rows("%abcc|ab[^c]$%", [
      ["abcc ...", true],
      ["aba", true],
      ["aac ...", false],
    ]);
    rows("%\\[.\\]%", [
      ["[a]", true],
      ["[7]", true],
      ["[]]", true],
      ["[ ]", true],
      ["[ab]", false],
    ]);
    rows("%10\\.10\\.0\\.1%", [
      ["10.10.0.1", true],
      ["10010,051", false],
    ]);
    rows("%10.10.0.1%", [["10010,051", true]]);
    rows("%ab*c%", [
      ["ac", true],
      ["abbbc", true],
    ]);
    rows("%ab[0-9]*%", [["ab129", true]]);
    rows("%ab+c%", [
      ["abbc", true],
      ["ac", false],
    ]);
    rows("%.at%", [
      ["4at", true],
      ["#at", true],
      [" at", true],
      ["at", false],
    ]);
    rows("%\\d%", [
      ["port 80", true],
      ["no digits", false],
    ]);
    rows("%^\\D+$%", [
      ["no digits", true],
      ["port 80", false],
    ]);
    rows("%\\s%", [
      ["a\tb", true],
      ["ab", false],
    ]);
    rows("%^\\w+$%", [
      ["a_Z9", true],
      ["a-b", false],
    ]);
    rows("%\\x3A%", [["key:value", true]]);
    rows("%\\x28%", [["f(x)", true]]);
  });

  it("the symbols: escaped ones are themselves", () => {
    rows("%a\\-b\\:c%", [
      ["a-b:c", true],
      ["a-bc", false],
    ]);
    rows("%[a\\-c]x%", [
      ["-x", true],
      ["bx", false],
    ]);
    rows("%^key=v@h/p;q,r#s:t_u%", [["key=v@h/p;q,r#s:t_u", true]]);
  });

  it("regex terms combine with the other terms", () => {
    rows("ERROR -%4[0-9]{2}%", [
      ["[ERROR 500] INTERNAL", true],
      ["[ERROR 404] NOT FOUND", false],
    ]);
  });
});

const REGEX = [
  "ERROR 500",
  "ERROR 50",
  "ERROR 5000",
  "WARN 404",
  "xERROR 500",
  "error 500",
  "color",
  "colour",
  "colouur",
  "10.10.0.1",
  "10010,051",
  "hello!",
  "hello(",
  "café",
  "aaab",
  "abab",
  "ERROR\n500",
];

describe("regular expressions: the service", () => {
  it("anchors, classes, repetition and escapes over the probe corpus", () => {
    corpus(REGEX, "%^ERROR\\s[0-9]{3}$%", [0, 16]);
    corpus(REGEX, "%ERROR|WARN%", [0, 1, 2, 3, 4, 16]);
    corpus(REGEX, "%^colou?r$%", [6, 7]);
    corpus(REGEX, "%10\\.10\\.0\\.1%", [9]);
    corpus(REGEX, "%10.10.0.1%", [9, 10]);
    corpus(REGEX, "%\\x21%", [11]);
    corpus(REGEX, "%^[^a-z]+$%", [0, 1, 2, 3, 9, 10, 16]);
    corpus(REGEX, "%^a*b$%", [14]);
  });

  it("names the regex up to its first unsupported character; a malformed one does not compile", () => {
    expect(rejection("%^(ERROR|WARN)%")).toBe("Invalid character(s) in term '%^('");
    expect(rejection("%hello!%")).toBe("Invalid character(s) in term '%hello!'");
    expect(rejection("%café%")).toBe("Invalid character(s) in term '%café'");
    expect(rejection("%ERROR(?= 500)%")).toBe("Invalid character(s) in term '%ERROR('");
    expect(rejection("%[abc%")).toBe("Failed to compile regular expression.");
    expect(rejection("%a{3,%")).toBe("Failed to compile regular expression.");
    expect(rejection("%\\(a%")).toBe("Invalid character(s) in term '%\\('");
    expect(rejection("%%")).toBe(INVALID_PATTERN);
    expect(rejection("%abc")).toBe(INVALID_PATTERN);
  });

  it("Quotas: at most 2 regexes in a JSON or space-delimited pattern", () => {
    expect(() => parseFilterPattern("[a=%x%, b=%y%, c]")).not.toThrow();
    const message = "Your input has exceeded the maximum of 2 regular expressions per filter pattern.";
    expect(rejection("{ $.v = %Alpha% || $.v = %Beta% || $.v = %Gamma% }")).toBe(message);
    expect(rejection("[a=%x%, b=%y%, c=%z%]")).toBe(message);
  });
});

// The JSON log event of the page's JSON section (one line, as the page asks).
const EVENT = JSON.stringify({
  eventType: "UpdateTrail",
  sourceIPAddress: "111.111.111.111",
  arrayKey: ["value", "another value"],
  objectList: [
    { name: "a", id: 1 },
    { name: "b", id: 2 },
  ],
  SomeObject: null,
  "cluster.name": "c",
});

// The JSON object of the page's compound-expression examples.
const COMPOUND = JSON.stringify({
  user: { id: 1, email: "John.Stiles@example.com" },
  users: [
    { id: 2, email: "John.Doe@example.com" },
    { id: 3, email: "Jane.Doe@example.com" },
  ],
  actions: ["GET", "PUT", "DELETE"],
  coordinates: [
    [0, 1, 2],
    [4, 5, 6],
    [7, 8, 9],
  ],
});

describe("JSON log events: the page", () => {
  it("each example filter against the page's event", () => {
    patternsAgainst(EVENT, [
      ['{ $.eventType = "UpdateTrail" }', true], // matches string values
      ["{ $.sourceIPAddress != 123.123.* }", true], // string values (IP address), a wildcard
      ['{ $.arrayKey[0] = "value" }', true], // a specific array element
      ["{ $.eventType = %Trail% }", true], // a string using regex
      ["{ $.arrayKey[*] = %val.{2}% }", true], // any element of the array, regex
      ["{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }", true], // any property, prefix and subnet
      ["{ $.['cluster.name'] = \"c\" }", true], // a property with a period in the key
      ["{ $.SomeObject IS NULL }", true], // IS
      ["{ $.SomeOtherObject NOT EXISTS }", true], // NOT EXISTS
      ["{ $.objectList[1].id = 2 }", true], // the older page: an object in an array
    ]);
  });

  it("the same filters when the event says otherwise", () => {
    patternsAgainst(EVENT, [
      ['{ $.eventType = "CreateTrail" }', false],
      ["{ $.sourceIPAddress != 111.111.* }", false],
      ['{ $.arrayKey[1] = "value" }', false],
      ["{ $.eventType = %^Trail% }", false],
      ["{ $.['cluster.name'] = \"d\" }", false],
      ["{ $.eventType IS NULL }", false],
      ["{ $.eventType NOT EXISTS }", false],
    ]);
  });

  it("Writing filter patterns that match numeric values: each operator, signs, scientific notation", () => {
    rows("{ $.bandwidth > 75 }", [
      ['{"bandwidth": 80}', true],
      ['{"bandwidth": 75}', false],
    ]);
    rows("{ $.latency < 50 }", [
      ['{"latency": 49.5}', true],
      ['{"latency": 50}', false],
    ]);
    rows("{ $.refreshRate >= 60 }", [
      ['{"refreshRate": 60}', true],
      ['{"refreshRate": 59}', false],
    ]);
    rows("{ $.responseTime <= 5 }", [
      ['{"responseTime": 5}', true],
      ['{"responseTime": 6}', false],
    ]);
    rows("{ $.errorCode = 400}", [
      ['{"errorCode": 400}', true],
      ['{"errorCode": 401}', false],
    ]);
    rows("{ $.errorCode != 500 }", [
      ['{"errorCode": 400}', true],
      ['{"errorCode": 500}', false],
    ]);
    rows("{ $.number[0] = 1e+3 }", [
      ['{"number": [1000]}', true],
      ['{"number": [0.001]}', false],
    ]);
    rows("{ $.number[0] != 1e-3 }", [
      ['{"number": [1000]}', true],
      ['{"number": [0.001]}', false],
    ]);
    rows("{ $.errorCode = 4* }", [
      ['{"errorCode": 404}', true],
      ['{"errorCode": 500}', false],
    ]);
  });

  it("Using compound expressions: the page's four examples", () => {
    patternsAgainst(COMPOUND, [
      ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
      [
        '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }',
        true,
      ],
      [
        '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }',
        false,
      ],
      ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
    ]);
  });

  it("Quotas: one wildcard in a property selector, three wildcard selectors in a pattern", () => {
    expect(rejection("{ $.items[*].* = 1 }")).toBe(
      "Your filter pattern has a JSON path selector that exceeds the maximum of 1 wildcard allowed per json selector.",
    );
    expect(rejection('{ $.arr[*] = "hit" || $.items[*].a = 1 || $.* = "hit" || $.matrix[*][0] = 0 }')).toBe(
      "Your input has exceeded the maximum of 3 JSON wildcard selectors allowed per filter pattern.",
    );
    expect(() => parseFilterPattern('{ $.arr[*] = "hit" || $.items[*].a = 1 || $.* = "hit" }')).not.toThrow();
  });

  it('Publishing dimensions, the page\'s example: { $.eventType = "*" && $.sourceIPAddress != 123.123.* }', () => {
    rows('{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }', [
      [EVENT, true],
      ['{"sourceIPAddress": "111.111.111.111"}', false],
    ]);
  });
});

// The probes' corpora of JSON events, and of JSON paths.
const SCALARS = [
  "{}",
  '{"v":null}',
  '{"v":"null"}',
  '{"v":true}',
  '{"v":false}',
  '{"v":"true"}',
  '{"v":"false"}',
  '{"v":0}',
  '{"v":1}',
  '{"v":1.0}',
  '{"v":1e0}',
  '{"v":"1"}',
  '{"v":"1.0"}',
  '{"v":-1}',
  '{"v":1.5}',
  '{"v":10}',
  '{"v":"10"}',
  '{"v":"Alpha"}',
  '{"v":"alpha"}',
  '{"v":"Alphabet"}',
  '{"v":"xAlpha"}',
  '{"v":""}',
  '{"v":[]}',
  '{"v":{}}',
  '{"v":[1,"Alpha",null]}',
  '{"v":"a*b"}',
  '{"v":"a?b"}',
  '{"v":1,"v":2}',
  '{"v":2,"v":1}',
  "not JSON",
  '[{"v":1}]',
  "{broken",
];

const PATHS = [
  '{"nested":{"value":"hit"},"cluster.name":"flat","cluster":{"name":"nested"},"items":[{"a":1,"b":0},{"a":0,"b":2}],"arr":["miss","hit"],"matrix":[[0,1],[2,3]],"a":1,"b":0,"c":0}',
  '{"nested":{"value":"miss"},"cluster.name":"nested","cluster":{"name":"flat"},"items":[{"a":1,"b":2}],"arr":["hit","miss"],"matrix":[[1,0]],"a":0,"b":2,"c":3}',
  '{"nested":null,"arr":[null],"items":[],"a":0,"b":2,"c":0}',
  '{"nested":{},"arr":[],"a":1,"b":2,"c":3}',
  '{"nested":{"value":null},"arr":"hit","a":0,"b":0,"c":3}',
  '{"nested":{"value":"null"},"other":"hit"}',
  '{"nested.value":"hit","arr":[["hit"]]}',
  '{"arr":["hit","hit"],"items":[{"a":1},{"b":2}]}',
  '{"arr":{"0":"hit"},"nested":[{"value":"hit"}]}',
  "{}",
];

describe("JSON log events: the service", () => {
  it("numbers: value against numbers, text against strings; orderings on numbers only", () => {
    corpus(SCALARS, "{ $.v = 1 }", [8, 9, 10, 11, 28]);
    corpus(SCALARS, "{ $.v != 1 }", [2, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 25, 26, 27]);
    corpus(SCALARS, "{ $.v > 1 }", [14, 15, 27]);
    corpus(SCALARS, "{ $.v < 1 }", [7, 13]);
    corpus(SCALARS, "{ $.v >= 1 }", [8, 9, 10, 14, 15, 27, 28]);
    corpus(SCALARS, "{ $.v <= 1 }", [7, 8, 9, 10, 13, 28]);
    corpus(SCALARS, "{ $.v = 1e+0 }", [8, 9, 10, 28]);
    corpus(SCALARS, "{ $.v = -1 }", [13]);
  });

  it("strings: exact, wildcards at either end, `?` literal, empty, regex", () => {
    corpus(SCALARS, '{ $.v = "1" }', [8, 11, 28]);
    corpus(SCALARS, '{ $.v = "Alpha" }', [17]);
    corpus(
      SCALARS,
      '{ $.v != "Alpha" }',
      [2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 25, 26, 27, 28],
    );
    corpus(SCALARS, '{ $.v = "Alpha*" }', [17, 19]);
    corpus(SCALARS, '{ $.v = "*Alpha" }', [17, 20]);
    corpus(SCALARS, '{ $.v = "a?b" }', [26]);
    corpus(SCALARS, '{ $.v = "" }', [21]);
    corpus(SCALARS, "{ $.v = %^Al.*% }", [17, 19]);
    corpus(
      SCALARS,
      "{ $.v = * }",
      [2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 25, 26, 27, 28],
    );
  });

  it("IS NULL (an array holding null counts), NOT EXISTS, IS TRUE, IS FALSE; `= true` is text", () => {
    corpus(SCALARS, "{ $.v IS NULL }", [1, 24]);
    corpus(SCALARS, "{ $.v NOT EXISTS }", [0]);
    corpus(SCALARS, "{ $.v IS TRUE }", [3]);
    corpus(SCALARS, "{ $.v IS FALSE }", [4]);
    corpus(SCALARS, "{ $.v = true }", [5]);
  });

  it("paths: nesting, dotted keys, indexes, wildcards over arrays and objects", () => {
    corpus(PATHS, '{ $.nested.value = "hit" }', [0]);
    corpus(PATHS, "{ $.['cluster.name'] = \"flat\" }", [0]);
    corpus(PATHS, '{ $.arr[0] = "hit" }', [1, 7]);
    corpus(PATHS, '{ $.arr[*] = "hit" }', [0, 1, 7, 8]);
    corpus(PATHS, '{ $.* = "hit" }', [4, 5, 6]);
    corpus(PATHS, "{ $.matrix[0][1] = 1 }", [0]);
    corpus(PATHS, "{ $.nested.value NOT EXISTS }", [2, 3, 6, 7, 8, 9]);
    corpus(PATHS, "{ $.nested.value IS NULL }", [4]);
  });

  it("compound expressions: each condition on its own elements, && before ||", () => {
    corpus(PATHS, "{ $.items[*].a = 1 && $.items[*].b = 2 }", [0, 1, 7]);
    corpus(PATHS, "{ $.a = 1 && $.c = 3 }", [3]);
    corpus(PATHS, "{ $.a = 1 || $.b = 2 && $.c = 3 }", [0, 1, 3]);
    corpus(PATHS, "{ ($.a = 1 || $.b = 2) && $.c = 3 }", [1, 3]);
  });

  it("rejects what the service rejects, with its wording", () => {
    expect(rejection("{ $.v = null }")).toBe(INVALID_PATTERN);
    expect(rejection("{ $.v EXISTS }")).toBe(INVALID_PATTERN);
    expect(rejection("{ $.v EXISTS }", "filterLogEvents")).toBe("Invalid filter pattern");
    expect(rejection("{ $.v == 1 }")).toBe(INVALID_PATTERN);
    expect(rejection("{ $.v == 1 }", "filterLogEvents")).toBe("Invalid filter pattern");
    expect(rejection("{ $.v > 0 AND $.v < 2 }")).toBe(INVALID_PATTERN);
    expect(rejection("{ $.v IS NOT NULL }")).toBe("Invalid character(s) in term 'NOT'");
    expect(rejection("{ !($.v = 1) }")).toBe("Invalid character(s) in term '!('");
    expect(rejection('{ "v": [1] }')).toBe("Invalid character(s) in term ':'");
    expect(rejection('{ $.v > "Alpha" }')).toBe("Invalid character(s) in term '\"Alpha\"'");
    expect(rejection("{ $.v = %(Alpha|Beta)% }")).toBe("Invalid character(s) in term '%('");
    expect(rejection('{ $..value = "hit" }')).toBe("Invalid character(s) in term '$..'");
    expect(rejection('{ $.arr[-1] = "hit" }')).toBe("Invalid character(s) in term '[-'");
    expect(rejection('{ $.arr[0:2] = "hit" }')).toBe("Invalid character(s) in term '[0:'");
  });

  it("and the other malformed patterns, as a CLI user met them or structurally", () => {
    expect(rejection('{ $."sc-status" = 5* }')).toBe("Invalid character(s) in term '$.\"'");
    for (const bad of [
      "{ $.a = }",
      "{ $.a }",
      "{ $.a = 1",
      "{ $.a = 1 } trailing",
      "{ $.a = 1 && }",
      "{ ($.a = 1 }",
      "{ $.a[x] = 1 }",
    ]) {
      expect({ bad, error: rejection(bad).length > 0 }).toEqual({ bad, error: true });
    }
  });
});

describe("JSON log events: behaviour around the examples", () => {
  it("a selector that points at an array or object, or at nothing, satisfies no comparison", () => {
    patternsAgainst(EVENT, [
      ['{ $.arrayKey = "value" }', false],
      ['{ $.objectList[0] != "x" }', false],
      ['{ $.missing != "x" }', false],
    ]);
  });

  it("an event that is not a JSON object matches no JSON pattern, not even NOT EXISTS", () => {
    rows("{ $.eventType NOT EXISTS }", [
      ["eventType=UpdateTrail", false],
      ['2024-01-01 INFO {"eventType": "UpdateTrail"}', false],
      ['[{"v":1}]', false],
      ["", false],
    ]);
  });

  it("extracts the selectors of the pattern and any field a transformation asks for", () => {
    const found = extract(
      parseFilterPattern('{ $.eventType = "UpdateTrail" && $.objectList[1].id = 2 }'),
      EVENT,
    );
    expect(found?.extractedValues).toEqual({ "$.eventType": "UpdateTrail", "$.objectList[1].id": "2" });
    expect(found?.value("$.sourceIPAddress")).toBe("111.111.111.111");
    expect(found?.value("$.['cluster.name']")).toBe("c");
    expect(found?.value("$.objectList")).toBeUndefined();
    expect(found?.value("$bytes")).toBeUndefined();
    expect(extract(parseFilterPattern("{ $.v = * }"), '{"v": 1.50}')?.value("$.v")).toBe("1.50");
  });
});

const APACHE = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534';
const APACHE_FIELDS = {
  $bytes: "1534",
  $status_code: "404",
  $request: "GET /index.html HTTP/1.0",
  $timestamp: "10/Oct/2000:13:25:15 -0700",
  $username: "frank",
  $user: "Prod",
  $ip: "127.0.0.1",
};

describe("space-delimited log events: the page", () => {
  it("Writing filter patterns that match terms in a space-delimited log event", () => {
    const pattern =
      "[ip=%127\\.0\\.0\\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]";
    expect(extract(parseFilterPattern(pattern), APACHE)?.extractedValues).toEqual(APACHE_FIELDS);
    rows(pattern, [[APACHE.replace("127.0.0.1", "10.0.0.1"), false]]);
    rows("[..., request =*.html*, status_code = 4*, bytes]", [[APACHE, true]]);
    rows("[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]", [
      [APACHE, true],
      [APACHE.replace(" 404 ", " 403 "), false],
    ]);
  });

  it("the older page: bytes > 1000 and the fields it lists", () => {
    const pattern = "[ip, server, username, timestamp, request, status_code, bytes > 1000]";
    const { $user: _, ...fields } = APACHE_FIELDS;
    expect(extract(parseFilterPattern(pattern), APACHE)?.extractedValues).toEqual({
      ...fields,
      $server: "Prod",
    });
    rows(pattern, [[APACHE.replace(" 1534", " 999"), false]]);
  });

  it("pattern matching: terms in order, && and ||, exclusions, the resource URI examples", () => {
    const lines = {
      get: "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
      post: "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310",
      warning: "WARNING 09/25/2014 12:00:02 Invalid user request",
      error: "ERROR 09/25/2014 12:00:02 Failed to process request",
    };
    rows("[w1=ERROR, w2]", [
      [lines.error, true],
      [lines.get, false],
    ]);
    rows("[w1=ERROR || w1=WARNING, w2]", [
      [lines.error, true],
      [lines.warning, true],
      [lines.get, false],
    ]);
    rows("[w1=ERROR || W1=WARNING, w2]", [[lines.warning, true]]); // the older page's spelling
    rows("[w1!=ERROR && w1!=WARNING, w2]", [
      [lines.get, true],
      [lines.error, false],
      [lines.warning, false],
    ]);
    rows("[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]", [
      [lines.get, true],
      [lines.post, false],
    ]);
    rows("[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]", [
      [lines.post, true],
      [lines.get, false],
    ]);
  });
});

const SPACE = [
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
  '127.0.0.2 - jane [10/Oct/2000:13:25:16 -0700] "GET /index.html HTTP/1.0" 410 0',
  '127.0.0.3 - frank [10/Oct/2000:13:25:17 -0700] "POST /api HTTP/1.0" 500 2048',
  '127.0.0.4 - frank [10/Oct/2000:13:25:18 -0700] "GET /index.html HTTP/1.0" 200 100',
  '127.0.0.5  -  frank [10/Oct/2000:13:25:19 -0700] "GET /index.html HTTP/1.0" 404 1534 extra',
  '127.0.0.6\t-\tfrank\t[10/Oct/2000:13:25:20 -0700]\t"GET /index.html HTTP/1.0"\t404\t1534',
  "ERROR request failed",
  "WARNING request",
  "INFO request accepted",
  "ERROR",
  'ERROR "two words"',
  'ERROR "unterminated words',
];

const fieldsOf = (pattern: string, event: string) =>
  extract(parseFilterPattern(pattern), event)?.extractedValues;

describe("space-delimited log events: the service", () => {
  it("which events match: fields, ellipses, conditions", () => {
    corpus(SPACE, "[ip, identity, user, timestamp, request, status, bytes]", [0, 1, 2, 3, 4, 5]);
    corpus(SPACE, "[..., request = *.html*, status = 4*, bytes]", [0, 1, 5]);
    corpus(SPACE, "[..., status = 404 || status = 410, bytes]", [0, 1, 5]);
    corpus(
      SPACE,
      "[ip = %127\\.0\\.0\\.[1-3]%, identity, user, timestamp, request, status, bytes]",
      [0, 1, 2],
    );
    corpus(
      SPACE,
      "[..., bytes]",
      SPACE.map((_, i) => i),
    );
    corpus(SPACE, "[ip, ..., status, bytes]", [0, 1, 2, 3, 4, 5, 6, 8, 11]);
    corpus(
      SPACE,
      "[]",
      SPACE.map((_, i) => i),
    );
    corpus(SPACE, "[w1=ERROR, w2]", [6, 10, 11]);
    corpus(SPACE, "[w1!=ERROR && w1!=WARNING, w2]", [0, 1, 2, 3, 4, 5, 8]);
  });

  it("what they extract: the last field takes the rest, others are numbered, quotes unwrap", () => {
    expect(fieldsOf("[ip, identity, user, timestamp, request, status, bytes]", SPACE[4]!)).toEqual({
      $ip: "127.0.0.5",
      $identity: "-",
      $user: "frank",
      $timestamp: "10/Oct/2000:13:25:19 -0700",
      $request: "GET /index.html HTTP/1.0",
      $status: "404",
      $bytes: "1534 extra",
    });
    expect(fieldsOf("[..., bytes]", SPACE[4]!)).toEqual({
      $1: "127.0.0.5",
      $2: "-",
      $3: "frank",
      $4: "10/Oct/2000:13:25:19 -0700",
      $5: "GET /index.html HTTP/1.0",
      $6: "404",
      $7: "1534",
      $bytes: "extra",
    });
    expect(fieldsOf("[..., bytes]", "ERROR")).toEqual({ $bytes: "ERROR" });
    expect(fieldsOf("[..., bytes]", 'ERROR "two words"')).toEqual({ $1: "ERROR", $bytes: "two words" });
    expect(fieldsOf("[..., bytes]", 'ERROR "unterminated words')).toEqual({
      $1: "ERROR",
      $2: '"unterminated',
      $bytes: "words",
    });
    expect(fieldsOf("[ip, ..., status, bytes]", "ERROR request failed")).toEqual({
      $ip: "ERROR",
      $status: "request",
      $bytes: "failed",
    });
    expect(fieldsOf("[]", SPACE[4]!)).toMatchObject({ $1: "127.0.0.5", $7: "1534", $8: "extra" });
    expect(fieldsOf("[w1=ERROR, w2]", "ERROR request failed")).toEqual({
      $w1: "ERROR",
      $w2: "request failed",
    });
    expect(fieldsOf("[w1=ERROR, w2]", 'ERROR "unterminated words')).toEqual({
      $w1: "ERROR",
      $w2: '"unterminated words',
    });
    expect(fieldsOf("[w1!=ERROR && w1!=WARNING, w2]", SPACE[4]!)?.$w2).toBe(
      '-  frank [10/Oct/2000:13:25:19 -0700] "GET /index.html HTTP/1.0" 404 1534 extra',
    );
    expect(fieldsOf("[w1!=ERROR && w1!=WARNING, w2]", SPACE[5]!)?.$w2).toBe(
      '-\tfrank\t[10/Oct/2000:13:25:20 -0700]\t"GET /index.html HTTP/1.0"\t404\t1534',
    );
  });

  it("rejects a second ellipsis and a repeated name", () => {
    expect(rejection("[..., status, ...]")).toBe("Duplicate field '...'");
    expect(rejection("[word, word]")).toBe("Duplicate field 'word'");
  });

  it("and the other malformed patterns", () => {
    for (const bad of [
      "[a = ]",
      "[a, b",
      "[a, b] trailing",
      "[a = 1 ||]",
      "[1]",
      "[a b]",
      "[a, b=x || c=y]",
    ]) {
      expect({ bad, message: rejection(bad) }).toEqual({ bad, message: INVALID_PATTERN });
    }
  });

  it("numbers compare as numbers, quoted values as text", () => {
    rows('[..., request="GET /index.html HTTP/1.0", status_code, bytes]', [[APACHE, true]]);
    rows("[..., status_code >= 400 && status_code < 500, bytes]", [[APACHE, true]]);
    rows("[..., status_code, bytes = 1534]", [[APACHE, true]]);
    rows("[..., status_code, bytes > 100]", [["a b c d e f text", false]]);
  });
});

describe("metric filters: values, default values, dimensions, units", () => {
  const latency: MetricTransformation = {
    metricNamespace: "App",
    metricName: "myMetric",
    metricValue: "$.latency",
    defaultValue: 0,
    unit: "Milliseconds",
  };

  it("Using values in log events to increment a metric's value: { $.latency = * } publishes 50", () => {
    const pattern = parseFilterPattern("{ $.latency = * }");
    checkMetricTransformation(pattern, latency);
    expect(
      metricDataFor(latency, pattern, {
        timestamp: 60_000,
        message: '{"latency": 50, "requestType": "GET"}',
      }),
    ).toEqual({
      metricNamespace: "App",
      metricName: "myMetric",
      timestamp: 60_000,
      value: 50,
      dimensions: {},
      unit: "Milliseconds",
    });
  });

  it("Configuring metric values: a non-matching event publishes the default value, or nothing without one", () => {
    const pattern = parseFilterPattern("{ $.latency = * }");
    expect(metricDataFor(latency, pattern, { timestamp: 1, message: '{"other": 1}' })?.value).toBe(0);
    const { defaultValue: _, ...withoutDefault } = latency;
    expect(metricDataFor(withoutDefault, pattern, { timestamp: 1, message: '{"other": 1}' })).toBeUndefined();
  });

  it("counts with a literal value on an unstructured pattern", () => {
    const count: MetricTransformation = { metricNamespace: "App", metricName: "Errors", metricValue: "1" };
    const pattern = parseFilterPattern("ERROR");
    checkMetricTransformation(pattern, count);
    expect(metricDataFor(count, pattern, { timestamp: 5, message: "[ERROR 400] BAD REQUEST" })?.value).toBe(
      1,
    );
    expect(metricDataFor(count, pattern, { timestamp: 5, message: "[INFO 200] OK" })).toBeUndefined();
  });

  it('Publishing dimensions from JSON log events: "eventType" : $.eventType', () => {
    const pattern = parseFilterPattern('{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }');
    const transformation = {
      metricNamespace: "Trail",
      metricName: "Events",
      metricValue: "1",
      dimensions: { eventType: "$.eventType" },
    };
    checkMetricTransformation(pattern, transformation);
    expect(metricDataFor(transformation, pattern, { timestamp: 0, message: EVENT })?.dimensions).toEqual({
      eventType: "UpdateTrail",
    });
  });

  it('Publishing dimensions from space-delimited log events: "server" : $server, value $bytes', () => {
    const pattern = parseFilterPattern(
      "[ip, server, username, timestamp, request, status_code, bytes > 1000]",
    );
    const transformation = {
      metricNamespace: "Web",
      metricName: "Bytes",
      metricValue: "$bytes",
      unit: "Bytes" as const,
      dimensions: { server: "$server" },
    };
    checkMetricTransformation(pattern, transformation);
    expect(metricDataFor(transformation, pattern, { timestamp: 0, message: APACHE })).toMatchObject({
      value: 1534,
      dimensions: { server: "Prod" },
      unit: "Bytes",
    });
  });

  it("an event without a numeric value or a dimension field publishes nothing", () => {
    const pattern = parseFilterPattern("{ $.eventType = * }");
    const transformation = {
      metricNamespace: "N",
      metricName: "M",
      metricValue: "$.latency",
      dimensions: { t: "$.type" },
    };
    expect(
      metricDataFor(transformation, pattern, {
        timestamp: 0,
        message: '{"eventType": "a", "latency": "slow", "type": "x"}',
      }),
    ).toBeUndefined();
    expect(
      metricDataFor(transformation, pattern, { timestamp: 0, message: '{"eventType": "a", "latency": 3}' }),
    ).toBeUndefined();
  });

  it("PutMetricFilter's rules: dimensions need a JSON or space-delimited pattern and exclude a default value", () => {
    const reject = (pattern: string, transformation: MetricTransformation) => {
      try {
        checkMetricTransformation(parseFilterPattern(pattern), transformation);
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    const base = { metricNamespace: "N", metricName: "M", metricValue: "1" };
    expect(reject("?ERROR ?WARN", { ...base, dimensions: { ClusterName: "$.cluster" } })).toBe(
      "The specified filter pattern does not support dimensions",
    );
    expect(reject("{ $.a = 1 }", { ...base, defaultValue: 0, dimensions: { a: "$.a" } })).toBe(
      "Invalid metric transformation: dimensions and default value are mutually exclusive properties",
    );
    expect(
      reject("{ $.a = 1 }", { ...base, dimensions: { a: "$.a", b: "$.b", c: "$.c", d: "$.d" } }),
    ).toMatch(/at most 3/);
    expect(reject("ERROR", { ...base, metricValue: "$.latency" })).toMatch(/Invalid metric value/);
    expect(reject("[ip, bytes]", { ...base, metricValue: "$size" })).toMatch(/Invalid metric value/);
    expect(reject("[ip, ...]", { ...base, metricValue: "$3" })).toBe("accepted");
    expect(reject("[ip, bytes]", { ...base, dimensions: { x: "$.x" } })).toMatch(/Invalid dimension value/);
  });
});
