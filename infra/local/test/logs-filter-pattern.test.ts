import type { MetricTransformation } from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import {
  checkMetricTransformation,
  extract,
  FilterPatternError,
  INVALID_PATTERN,
  matches,
  metricDataFor,
  parseFilterPattern,
} from "../src/services/logs/filter-pattern.js";

// CloudWatch Logs filter patterns, case by case from AWS's "Filter pattern syntax for metric
// filters, subscription filters, filter log events, and Live Tail" (FilterAndPatternSyntax): each
// block names the section of the page its rows come from. Rows from the current page's regex
// sections that could only be read second-hand are marked so.

const match = (pattern: string, message: string) => matches(parseFilterPattern(pattern), message);

function rows(pattern: string, table: [message: string, matches: boolean][]) {
  for (const [message, expected] of table) {
    expect({ message, matches: match(pattern, message) }).toEqual({ message, matches: expected });
  }
}

/** Many patterns against one event: the JSON section's tables are written this way round. */
function patternsAgainst(message: string, table: [pattern: string, matches: boolean][]) {
  for (const [pattern, expected] of table) {
    expect({ pattern, matches: match(pattern, message) }).toEqual({ pattern, matches: expected });
  }
}

function rejection(pattern: string): string {
  try {
    parseFilterPattern(pattern);
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

describe("filter patterns: unstructured log events", () => {
  it("Example: Match a single term", () => {
    rows("ERROR", [...ERRORS.map((m): [string, boolean] => [m, true]), ["[INFO 200] OK", false]]);
  });

  it("terms are case sensitive and match anywhere in the message", () => {
    rows("ERROR", [
      ["an error happened", false],
      ["Exiting with ERRORCODE: -1", true], // the older page's Example 1
    ]);
  });

  it("Example: Match multiple terms", () => {
    rows("ERROR ARGUMENTS", [
      ["[ERROR 419] MISSING ARGUMENTS", true],
      ["[ERROR 420] INVALID ARGUMENTS", true],
      ["[ERROR 400] BAD REQUEST", false],
      ["[ERROR 401] UNAUTHORIZED REQUEST", false],
    ]);
  });

  it("Example: Match single and multiple terms (`?` alternatives)", () => {
    rows("?ERROR ?ARGUMENTS", [...ERRORS.map((m): [string, boolean] => [m, true]), ["[INFO 200] OK", false]]);
    rows("?WARN ?ARGUMENTS", [
      ["[ERROR 419] MISSING ARGUMENTS", true],
      ["[WARN] slow", true],
      ["[ERROR 400] BAD REQUEST", false],
    ]);
  });

  it("`?` terms next to other terms are ignored (current page, read second-hand)", () => {
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
    rows('"[ERROR]" Exception', [
      ["02 May 2014 00:34:16,142 [ERROR] Unhanded exception: InvalidQueryException", true],
      ["02 May 2014 00:34:16,224 [ERROR] Terminating the application", false],
    ]);
  });

  it("Example: Include and exclude terms", () => {
    rows("ERROR -ARGUMENTS", [
      ["[ERROR 400] BAD REQUEST", true],
      ["[ERROR 401] UNAUTHORIZED REQUEST", true],
      ["[ERROR 419] MISSING ARGUMENTS", false],
      ["[ERROR 420] INVALID ARGUMENTS", false],
    ]);
    // The older page's Example 2.
    rows("ERROR -Exiting", [
      ["[ERROR] A fatal exception has occurred", true],
      ["Exiting with ERRORCODE: -1", false],
    ]);
    rows('-"INFO 200"', [
      ["[INFO 200] OK", false],
      ["[INFO 201] CREATED", true],
    ]);
  });

  it('Example: Match everything (`" "`) and the empty pattern', () => {
    rows('" "', [
      ["two words", true],
      ["oneword", true],
    ]);
    rows("", [
      ["anything", true],
      ["", true],
    ]);
    rows("   ", [["anything", true]]);
    expect(parseFilterPattern(undefined)).toEqual({ kind: "all" });
  });

  it("older page, Example 3: every term must appear", () => {
    rows("Failed to process the request", [
      ["[WARN] Failed to process the request", true],
      ["[ERROR] Unable to continue: Failed to process the request", true],
      ["[ERROR] Failed to process", false],
    ]);
  });
});

describe("filter patterns: regular expressions", () => {
  it("Supported regular expressions: %AUTHORIZED%", () => {
    rows("%AUTHORIZED%", [
      ["[ERROR 401] UNAUTHORIZED REQUEST", true],
      ["[SUCCESS 200] AUTHORIZED REQUEST", true],
      ["[SUCCESS 200] OK", false],
    ]);
  });

  it("the page's own examples: IP addresses and alternatives", () => {
    rows("%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%", [
      ["connect from 10.0.12.255 refused", true],
      ["connect from localhost refused", false],
    ]);
    rows("%[Ee]rror|[Ff]ail%", [
      ["Error: boom", true],
      ["request failed", true],
      ["all good", false],
    ]);
  });

  it("the supported operators mean what they mean in a regex", () => {
    rows("%^[hc]at%", [
      ["hat trick", true],
      ["a hat", false],
    ]);
    rows("%[hc]at$%", [
      ["the cat", true],
      ["cats", false],
    ]);
    rows("%colou?r%", [
      ["color", true],
      ["colour", true],
      ["colr", false],
    ]);
    rows("%^a{3,5}$%", [
      ["aaaa", true],
      ["aa", false],
    ]);
    rows("%^starting|^initializing|^shutting down%", [
      ["shutting down now", true],
      ["skipping initializing", false],
    ]);
    rows("%ab+c%", [
      ["abbc", true],
      ["ac", false],
    ]);
    rows("%10\\.10\\.0\\.1%", [
      ["from 10.10.0.1", true],
      ["from 10010a0b1", false],
    ]);
    rows("%key\\x3Avalue%", [["key:value", true]]);
    rows("%a\\-b\\:c%", [
      ["a-b:c", true],
      ["a-bc", false],
    ]);
    rows("%[a\\-c]x%", [
      ["-x", true],
      ["bx", false],
    ]);
  });

  it("regex terms combine with the other terms", () => {
    rows('ERROR -%4[0-9]{2}% ?"x"', [
      ["[ERROR 500] INTERNAL", true],
      ["[ERROR 404] NOT FOUND", false],
    ]);
  });

  it("rejects what the regex syntax does not allow: '!', parentheses, multi-byte characters", () => {
    expect(rejection("%something!%")).toBe("Invalid character(s) in term '!'");
    expect(rejection("%(ab)+%")).toBe("Invalid character(s) in term '('");
    expect(rejection("%café%")).toBe("Invalid character(s) in term 'é'");
    expect(rejection("%\\(a%")).toBe("Invalid character(s) in term '\\('");
    expect(rejection("%%")).toBe(INVALID_PATTERN);
    expect(rejection("%abc")).toBe(INVALID_PATTERN);
    expect(rejection("%a{3,%")).toBe(INVALID_PATTERN);
  });

  it("Quotas: at most 2 regexes in a JSON or space-delimited pattern", () => {
    expect(() => parseFilterPattern("[a=%x%, b=%y%, c]")).not.toThrow();
    expect(rejection("[a=%x%, b=%y%, c=%z%]")).toBe(INVALID_PATTERN);
    expect(rejection("{ $.a = %x% || $.b = %y% || $.c = %z% }")).toBe(INVALID_PATTERN);
  });
});

// The JSON log event of "Matching terms in JSON log events" (entered on one line, as the page says).
const EVENT = JSON.stringify({
  eventType: "UpdateTrail",
  sourceIPAddress: "111.111.111.111",
  arrayKey: ["value", "another value"],
  objectList: [
    { name: "a", id: 1 },
    { name: "b", id: 2 },
  ],
  SomeObject: null,
  ThisFlag: true,
});

// The JSON object of "Using compound expressions to match terms in JSON objects".
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

describe("filter patterns: JSON log events", () => {
  it("Matching terms in JSON log events: the page's filters against its event", () => {
    patternsAgainst(EVENT, [
      ['{ $.eventType = "UpdateTrail" }', true], // matches string
      ["{ $.sourceIPAddress != 123.123.* }", true], // wildcard, "doesn't contain ... the prefix 123.123"
      ['{ $.arrayKey[0] = "value" }', true], // element in array
      ["{ $.objectList[1].id = 2 }", true], // object in array
      ["{ $.SomeObject IS NULL }", true], // IS NULL
      ["{ $.SomeOtherObject NOT EXISTS }", true], // NOT EXISTS
      ["{ $.ThisFlag IS TRUE }", true], // IS TRUE
      ["{ $.eventType = %Trail% }", true], // regex (current page, second-hand)
      ["{ $.arrayKey[*] = %val.{2}% }", true], // regex on every element (second-hand)
    ]);
  });

  it("the same filters when the event says otherwise", () => {
    patternsAgainst(EVENT, [
      ['{ $.eventType = "CreateTrail" }', false],
      ["{ $.sourceIPAddress != 111.111.* }", false],
      ['{ $.arrayKey[1] = "value" }', false],
      ["{ $.objectList[1].id = 1 }", false],
      ["{ $.eventType IS NULL }", false],
      ["{ $.eventType NOT EXISTS }", false],
      ["{ $.ThisFlag IS FALSE }", false],
      ["{ $.SomeObject IS TRUE }", false],
    ]);
  });

  it("Metric filters that match numeric values: each operator, signs and scientific notation", () => {
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
      ['{"errorCode": "400"}', true],
      ['{"errorCode": 401}', false],
    ]);
    rows("{ $.errorCode != 500 }", [
      ['{"errorCode": 400}', true],
      ['{"errorCode": 500}', false],
    ]);
    rows("{ $.number[0] = 1e-3 }", [
      ['{"number": [0.001]}', true],
      ['{"number": [1000]}', false],
    ]);
    rows("{ $.number[0] != 1e+3 }", [
      ['{"number": [0.001]}', true],
      ['{"number": [1000]}', false],
    ]);
    rows("{ $.errorCode = 4* }", [
      ['{"errorCode": 404}', true],
      ['{"errorCode": 500}', false],
    ]);
  });

  it("Metric filters that match strings: wildcards, quoted and bare strings", () => {
    rows('{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }', [
      [EVENT, true], // "Publishing dimensions with metrics from JSON log events"
      ['{"sourceIPAddress": "111.111.111.111"}', false],
    ]);
    rows('{ $.eventType = "Update*" }', [[EVENT, true]]);
    rows("{ $.eventType = UpdateTrail }", [[EVENT, true]]);
    rows('{ $.SomeObject = "*" }', [[EVENT, false]]);
  });

  it("Using compound expressions: the page's four examples", () => {
    rows('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', [[COMPOUND, true]]);
    rows(
      '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }',
      [[COMPOUND, true]],
    );
    rows(
      '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }',
      [[COMPOUND, false]],
    );
    rows('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', [[COMPOUND, false]]);
    rows("{ $.coordinates[1][2] = 6 && $.users[*].id = 3 }", [[COMPOUND, true]]);
  });

  it("IS TRUE and IS FALSE want JSON booleans, IS NULL a JSON null", () => {
    rows("{ $.flag IS FALSE }", [
      ['{"flag": false}', true],
      ['{"flag": "false"}', false],
      ['{"flag": 0}', false],
    ]);
    rows("{ $.flag IS TRUE }", [
      ['{"flag": true}', true],
      ['{"flag": "true"}', false],
    ]);
    rows("{ $.flag IS NULL }", [
      ['{"flag": null}', true],
      ["{}", false],
    ]);
  });

  it("a selector that points at an array or object, or at nothing, satisfies no comparison", () => {
    rows('{ $.arrayKey = "value" }', [[EVENT, false]]);
    rows('{ $.objectList[0] != "x" }', [[EVENT, false]]);
    rows('{ $.missing != "x" }', [[EVENT, false]]);
  });

  it("an event that is not JSON matches no JSON pattern, not even NOT EXISTS", () => {
    rows("{ $.eventType NOT EXISTS }", [
      ["eventType=UpdateTrail", false],
      ['2024-01-01 INFO {"eventType": "UpdateTrail"}', false],
      ["", false],
      ["42", false],
    ]);
  });

  it("extracts the selectors of the pattern and any field a transformation asks for", () => {
    const found = extract(
      parseFilterPattern('{ $.eventType = "UpdateTrail" && $.objectList[1].id = 2 }'),
      EVENT,
    );
    expect(found?.extractedValues).toEqual({ "$.eventType": "UpdateTrail", "$.objectList[1].id": "2" });
    expect(found?.value("$.sourceIPAddress")).toBe("111.111.111.111");
    expect(found?.value("$.objectList")).toBeUndefined();
    expect(found?.value("$bytes")).toBeUndefined();
  });

  it("rejects malformed JSON patterns", () => {
    for (const bad of [
      "{ $.a = }",
      "{ $.a }",
      "{ $.a = 1",
      "{ $.a = 1 } trailing",
      "{ a = 1 }",
      "{ $.a = 1 && }",
      "{ ($.a = 1 }",
      "{ $.a IS MAYBE }",
      "{ $.SomeObject IS NOT NULL }", // "The variables IS NOT and EXISTS currently aren't supported"
      "{ $.a EXISTS }",
      "{ $.a[x] = 1 }",
      '{ $.a = "unterminated }',
      "{ $.a > abc }",
      "{ $.*[*] = 1 }",
    ]) {
      expect({ bad, message: rejection(bad) }).toEqual({ bad, message: INVALID_PATTERN });
    }
    expect(rejection('{ $."sc-status" = 5* }')).toBe("Invalid character(s) in term '$.\"'");
    expect(rejection("{ $.a = x(y) }")).toBe("Invalid character(s) in term '('");
    expect(rejection("{ $.a == 1 }")).toBe("Invalid character(s) in term '='");
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

describe("filter patterns: space-delimited log events", () => {
  it("Using metric filters to extract values from space-delimited log events: the extracted fields", () => {
    const pattern = "[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]";
    expect(extract(parseFilterPattern(pattern), APACHE)?.extractedValues).toEqual(APACHE_FIELDS);
  });

  it("ellipsis, compound conditions and numeric conditions of the same section", () => {
    rows("[..., request =*.html*, status_code = 4*, bytes]", [[APACHE, true]]);
    rows("[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]", [
      [APACHE, true],
      [APACHE.replace(" 404 ", " 403 "), false],
    ]);
    rows("[ip, server, username, timestamp, request, status_code, bytes > 1000]", [
      [APACHE, true],
      [APACHE.replace(" 1534", " 999"), false],
    ]);
    rows("[ip=%127\\.0\\.0\\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]", [
      [APACHE, true],
      [APACHE.replace("127.0.0.1", "10.0.0.1"), false],
    ]);
  });

  it("Publishing dimensions from space-delimited log events: the fields the page lists", () => {
    const found = extract(
      parseFilterPattern("[ip, server, username, timestamp, request, status_code, bytes > 1000]"),
      APACHE,
    );
    expect(found?.extractedValues).toEqual({ ...APACHE_FIELDS, $server: "Prod", $user: undefined });
    expect(found?.value("$server")).toBe("Prod");
  });

  it("Using pattern matching to match terms in space-delimited log events", () => {
    const lines = {
      error: "ERROR 09/25/2014 12:00:02 Failed to process request",
      warning: "WARNING 09/25/2014 12:00:02 Invalid user request",
      info: "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
    };
    rows("[w1=ERROR, w2]", [
      [lines.error, true],
      [lines.info, false],
    ]);
    rows("[w1=ERROR || W1=WARNING, w2]", [
      [lines.error, true],
      [lines.warning, true],
      [lines.info, false],
    ]);
    rows("[w1!=ERROR && w1!=WARNING, w2]", [
      [lines.info, true],
      [lines.error, false],
      [lines.warning, false],
    ]);
    rows("[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]", [
      [lines.info, true],
      ["INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310", false],
    ]);
  });

  it("the last entry takes the rest of the line; `...` stands for any number of fields", () => {
    const rest = extract(parseFilterPattern("[ip, user, rest]"), APACHE);
    expect(rest?.value("$rest")).toBe(
      'frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
    );
    rows("[w1=ERROR]", [["ERROR 09/25/2014 12:00:02 Failed", false]]);
    rows("[w1=ERROR, w2]", [["ERROR", false]]);
    rows("[a, b, c, d, e, f, g, h]", [[APACHE, false]]);
    rows("[ip, ..., bytes]", [[APACHE, true]]);
    rows("[ip, user, ...]", [[APACHE, true]]);
    rows("[a, b, c, d, e, f, g, h, ...]", [[APACHE, false]]);
    rows("[]", [
      [APACHE, true],
      ["", true],
    ]);
  });

  it("unnamed fields are extracted by position, as TestMetricFilter reports them", () => {
    const access = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534';
    expect(extract(parseFilterPattern("[..., size]"), access)?.extractedValues).toEqual({
      $1: "127.0.0.1",
      $2: "-",
      $3: "frank",
      $4: "10/Oct/2000:13:25:15 -0700",
      $5: "GET /apache_pb.gif HTTP/1.0",
      $6: "200",
      $size: "1534",
    });
    const trailing = extract(parseFilterPattern("[..., request=*.html*, status_code=4*,]"), APACHE);
    expect(trailing?.extractedValues.$7).toBe("1534");
    expect(trailing?.value("$2")).toBe("Prod");
    expect(trailing?.value("$9")).toBeUndefined();
  });

  it("quoted values and numeric comparisons on fields", () => {
    rows('[..., request="GET /index.html HTTP/1.0", status_code, bytes]', [[APACHE, true]]);
    rows("[..., status_code >= 400 && status_code < 500, bytes]", [[APACHE, true]]);
    rows("[..., status_code, bytes = 1534]", [[APACHE, true]]);
    rows("[..., status_code, bytes > 100]", [["a b c d e f text", false]]);
  });

  it("rejects malformed space-delimited patterns", () => {
    for (const bad of [
      "[a, ..., b, ..., c]",
      "[a, a]",
      "[a = ]",
      "[a, b",
      "[a, b] trailing",
      "[a = 1 ||]",
      "[1a]",
      "[a, b=x || c=y]",
    ]) {
      expect({ bad, message: rejection(bad) }).toEqual({ bad, message: INVALID_PATTERN });
    }
  });
});

describe("filter patterns: malformed unstructured patterns", () => {
  it("answers with CloudWatch's 'Invalid character(s) in term' for characters that need quotes", () => {
    expect(rejection("?Status: timeout")).toBe("Invalid character(s) in term ':'");
    expect(rejection("PlayerSpawnedInWorld (reason")).toBe("Invalid character(s) in term '('");
    expect(rejection("level\\:error")).toBe("Invalid character(s) in term '\\'");
    expect(rejection("`ERROR")).toBe("Invalid character(s) in term '`'");
    expect(rejection("ERR*")).toBe("Invalid character(s) in term '*'");
    expect(rejection('"retrievedReferences":[]')).toBe("Invalid character(s) in term ':'");
  });

  it("answers 'Invalid metric filter pattern' for an unterminated quote or a bare sign", () => {
    expect(rejection('"INTERNAL SERVER')).toBe(INVALID_PATTERN);
    expect(rejection("ERROR - x")).toBe(INVALID_PATTERN);
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
