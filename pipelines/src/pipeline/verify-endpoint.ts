import { getWithHost } from "./http-probe.js";
import { assessRounds, checkAnswer, type Expectation, type Probe, type RoundResult } from "./verify.js";

// The verification rounds against one endpoint of the load balancer: the production listener after a
// deploy (the verify stages), or the test listener while a blue/green deployment waits at its hook
// (verify-green.ts, which `ecs deploy --test-command` runs). One loop, so both mean the same thing.

export interface EndpointCheck {
  baseUrl: string;
  host: string;
  probes: readonly Probe[];
  expected: Expectation;
  requiredRounds: number;
  maxRounds: number;
  intervalMs: number;
  log: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
}

/** Resolves with the number of rounds it took; rejects with what the endpoint got wrong. */
export async function verifyEndpoint(check: EndpointCheck): Promise<number> {
  const rounds: RoundResult[] = [];
  check.log(
    `GET ${check.probes.map((p) => p.path).join(", ")} via ${check.baseUrl} with Host: ${check.host}`,
  );
  for (;;) {
    const problems: string[] = [];
    for (const probe of check.probes) {
      const answer = await getWithHost(check.baseUrl, check.host, probe.path).catch((error: Error) => error);
      const problem = checkAnswer(probe, answer, check.expected);
      if (problem) problems.push(problem);
    }
    rounds.push({ problems });
    if (problems.length > 0) check.log(`round ${rounds.length}: ${problems.join("; ")}`);
    const verdict = assessRounds(rounds, check.requiredRounds, check.maxRounds);
    if (verdict.state === "passed") return rounds.length;
    if (verdict.state === "failed") throw new Error(verdict.problems.join("; "));
    await check.sleep(check.intervalMs);
  }
}
