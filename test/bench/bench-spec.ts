import { parseSpec } from "@platform/env";
import { freePort } from "@platform/local-region/testing";
import { parseDocument } from "yaml";

// The spec copy the benchmark runs on: api-prod as BLUE_GREEN (so npm start gives it the target group
// pair and the listener rules every strategy can then use; prod's own CANARY would do too, but its
// 10-minute canary step is not what is measured), and test listener ports of its own (the suites'
// port rewrite does not cover them yet).

export async function benchSpec(text: string): Promise<string> {
  const doc = parseDocument(text, { merge: true });
  const edits: [string[], unknown][] = [
    [
      ["environments", "prod", "services", "api", "deployment"],
      { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 },
    ],
    [["local", "testHttpPort"], await freePort()],
    [["local", "testHttpsPort"], await freePort()],
  ];
  for (const [path, value] of edits) {
    if (!doc.hasIn(path.slice(0, -1))) throw new Error(`the spec has no ${path.slice(0, -1).join(".")}`);
    doc.setIn(path, doc.createNode(value, { flow: true }));
  }
  const edited = doc.toString();
  // What npm start would refuse is refused here, naming the line, before a region is started.
  parseSpec(edited, "the benchmark's spec copy");
  return edited;
}
