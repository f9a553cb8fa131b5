import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_SPEC_FILE, loadSpec, parseSpec } from "../src/load.js";
import { environmentHost, routeRules, serviceName } from "../src/names.js";
import { problemsOf } from "./support/problems.js";

const shipped = readFileSync(DEFAULT_SPEC_FILE, "utf8");

/** The shipped spec with one line replaced, so each test shows one mistake. */
function mutate(find: string | RegExp, replace: string): string {
  const out = shipped.replace(find, replace);
  expect(out, `the fixture edit ${String(find)} must change the spec`).not.toBe(shipped);
  return out;
}

describe("the shipped spec", () => {
  it("is valid and has both environments with both services", () => {
    const spec = loadSpec();
    expect(Object.keys(spec.environments)).toEqual(["qa", "prod"]);
    expect(spec.environments.qa.services.api.healthCheck).toMatchObject({
      intervalSeconds: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      matcher: "200",
    });
    expect(spec.environments.qa.services.api.deregistrationDelaySeconds).toBe(15);
  });

  it("applies YAML merge keys so prod overrides only what it names", () => {
    const spec = loadSpec();
    expect(spec.environments.prod.services.api.desiredCount).toBe(2);
    expect(spec.environments.prod.services.api.containerPort).toBe(3000);
    expect(spec.environments.qa.services.api.environment.LOG_LEVEL).toBe("debug");
  });
});

describe("mistakes in the spec name the file, the line, the path and what was expected", () => {
  it("a wrong type", () => {
    const message = problemsOf(mutate("  memory: 1024\n", '  memory: "lots"\n'));
    expect(message).toMatch(
      /env\/platform\.yaml:\d+ environments\.(qa|prod)\.services\.api\.memory: expected number, got "lots"/,
    );
  });

  it("a missing key", () => {
    const message = problemsOf(mutate(/^ {2}instanceType: t3\.large\n/m, ""));
    expect(message).toContain("cluster.instanceType: required, expected string");
  });

  it("an unknown key (a typo)", () => {
    const message = problemsOf(mutate("  minInstances: 1\n", "  minInstance: 1\n  minInstances: 1\n"));
    expect(message).toMatch(/cluster: unknown key "minInstance"/);
  });

  it("a number out of AWS's range", () => {
    const message = problemsOf(mutate("    intervalSeconds: 5\n", "    intervalSeconds: 1\n"));
    expect(message).toMatch(/healthCheck\.intervalSeconds: must be at least 5, got number 1/);
  });

  it("a value not in the allowed set", () => {
    const message = problemsOf(mutate("  logRetentionDays: 30\n", "  logRetentionDays: 31\n"));
    expect(message).toMatch(/logRetentionDays: .*31/);
  });

  it("a malformed string", () => {
    const message = problemsOf(mutate("region: eu-west-1", "region: Europe"));
    expect(message).toMatch(/:\d+ region: expected an AWS region such as eu-west-1, got "Europe"/);
  });

  it("a dynamic host port range too wide to open to the internet", () => {
    const message = problemsOf(
      mutate("dynamicHostPorts: { from: 61000, to: 61511 }", "dynamicHostPorts: { from: 32768, to: 65535 }"),
    );
    expect(message).toContain("cluster.dynamicHostPorts: keep the dynamic host port range under 2048 ports");
  });

  it("a rule across fields: reservation above the hard limit", () => {
    const message = problemsOf(mutate("  memoryReservation: 512\n", "  memoryReservation: 4096\n"));
    expect(message).toContain("memoryReservation (4096) must not exceed the hard limit memory (1024)");
  });

  it("a rule across fields: health check timeout not below its interval", () => {
    const message = problemsOf(mutate("    timeoutSeconds: 4\n", "    timeoutSeconds: 5\n"));
    expect(message).toContain("timeoutSeconds must be less than intervalSeconds");
  });

  it("a secret value written as a plain environment variable", () => {
    const message = problemsOf(
      mutate("    LOG_LEVEL: info\n", "    LOG_LEVEL: info\n    DB_PASSWORD: hunter2\n"),
    );
    expect(message).toContain('DB_PASSWORD looks like a secret: move it to "secrets"');
    expect(message).not.toContain("hunter2");
  });

  it("a secret given as a value instead of a parameter reference", () => {
    const message = problemsOf(
      mutate(
        "DATABASE_URL: { ssm: /platform/qa/api/database-url }",
        "DATABASE_URL: { value: postgres://u:p@h/db }",
      ),
    );
    expect(message).toMatch(/secrets\.DATABASE_URL: not a valid value here/);
  });

  it("two default environments", () => {
    const message = problemsOf(mutate(/^ {4}hostPrefix: qa\n/m, ""));
    expect(message).toContain("exactly one environment must have no hostPrefix");
  });

  it("YAML that does not parse", () => {
    const message = problemsOf(`${shipped}\n  bad: [unclosed\n`);
    expect(message).toMatch(/env\/platform\.yaml:\d+ \(document\): YAML syntax/);
  });

  it("a file that does not exist", () => {
    expect(() => loadSpec("/nonexistent/platform.yaml")).toThrow(
      /platform\.yaml \(document\): cannot read the file \(ENOENT\)/,
    );
  });

  it("lists every problem at once, not only the first", () => {
    const text = mutate("region: eu-west-1", "region: Europe").replace(
      "domain: example.com",
      "domain: not a domain",
    );
    const message = problemsOf(text);
    expect(message).toContain("region:");
    expect(message).toContain("domain:");
  });
});

describe("names and routes", () => {
  const spec = loadSpec();

  it("names services after app and environment", () => {
    expect(serviceName("api", "qa")).toBe("api-qa");
    expect(serviceName("media-server", "prod")).toBe("media-server-prod");
  });

  it("serves qa at qa.<domain> and prod on every other host", () => {
    expect(environmentHost(spec, "qa")).toBe("qa.example.com");
    expect(environmentHost(spec, "prod")).toBeUndefined();
    expect(environmentHost(spec, "qa", "localhost")).toBe("qa.localhost");
  });

  it("routes media paths before the host catch-all, with unique priorities", () => {
    const rules = routeRules(spec);
    const priorities = rules.map((r) => r.priority);
    expect(new Set(priorities).size).toBe(priorities.length);
    const qaMedia = rules.find((r) => r.env === "qa" && r.app === "media-server");
    const qaApi = rules.find((r) => r.env === "qa" && r.app === "api");
    expect(qaMedia?.pathPatterns).toEqual(["/kurento", "/media/*"]);
    expect(qaMedia!.priority).toBeLessThan(qaApi!.priority);
    const prodMedia = rules.find((r) => r.env === "prod");
    expect(prodMedia?.app).toBe("media-server");
    expect(prodMedia?.hostHeader).toBeUndefined();
  });
});

describe("the alarms section of the spec", () => {
  const shipped = loadSpec();
  const withSmtp = (smtp: string) =>
    `${JSON.stringify({ ...shipped, alarms: { ...shipped.alarms, smtp: JSON.parse(smtp) } }, null, 2)}\n`;
  it("accepts SMTP settings that name the password", () => {
    const smtp = {
      host: "email-smtp.eu-west-1.amazonaws.com",
      port: 587,
      secure: false,
      from: "alarms@example.com",
      username: "smtp-user",
      password: { secretsManager: "platform/alarms/smtp-password" },
    };
    expect(parseSpec(withSmtp(JSON.stringify(smtp)), "spec.yaml").alarms.smtp).toEqual(smtp);
  });

  it("refuses an SMTP password given as a value, a bad host and a bad sender, and says why", () => {
    const message = problemsOf(
      withSmtp('{"host":"smtp example","port":587,"secure":false,"from":"nobody","password":"hunter2"}'),
    );
    expect(message).toContain(
      "alarms.smtp.host: expected a host name such as email-smtp.eu-west-1.amazonaws.com",
    );
    expect(message).toContain("alarms.smtp.from: expected an e-mail address");
    expect(message).toMatch(/alarms\.smtp\.password: .*"hunter2"/);
  });

  it("needs a pipeline-failures threshold per environment", () => {
    const { pipelineFailuresPerFiveMinutes: _, ...rest } = shipped.environments.qa.alarms;
    const spec = {
      ...shipped,
      environments: { ...shipped.environments, qa: { ...shipped.environments.qa, alarms: rest } },
    };
    expect(problemsOf(JSON.stringify(spec))).toContain(
      "environments.qa.alarms.pipelineFailuresPerFiveMinutes: required, expected number",
    );
  });
});
