import { MASK, Redactor } from "../../ecs/model/secrets.js";

// A stage's error goes to people's inboxes: before it leaves, every secret value the pipeline's
// process holds (its environment: AWS keys, session tokens, API keys) is masked, as the ecs tool
// masks its own output, and AWS access key ids are masked by their shape.

const ACCESS_KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g;

export function environmentRedactor(env: NodeJS.ProcessEnv): (text: string) => string {
  const redactor = new Redactor();
  for (const [name, value] of Object.entries(env)) redactor.add(name, value);
  return (text) => redactor.redact(text).replace(ACCESS_KEY_ID, MASK);
}
