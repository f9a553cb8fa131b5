import type { AddressInfo } from "node:net";
import { AlarmsView } from "./server/alarms.js";
import { AppsView } from "./server/apps.js";
import { bundleAssets } from "./server/assets.js";
import { regionClients } from "./server/clients.js";
import { LoadBalancerView } from "./server/load-balancer.js";
import { LogTail, tailQuery } from "./server/logs.js";
import { Outbox } from "./server/outbox.js";
import { Poller } from "./server/poller.js";
import { consoleServer, type StreamSource } from "./server/server.js";
import { ServicesView } from "./server/services.js";
import { type AccessKey, Sessions } from "./server/session.js";
import { TasksView } from "./server/tasks.js";

// The console's one entry: a web page over the local region's AWS APIs, on 127.0.0.1 only, behind
// the region's own access key. `npm start` calls startConsole(); tests do too.

export interface ConsoleOptions {
  /** The region's AWS endpoint, e.g. http://127.0.0.1:4566. */
  regionEndpoint: string;
  region?: string;
  credentials: AccessKey;
  /** The region's state folder, where its alarm e-mails land (`outbox/`); no e-mails shown without it. */
  stateDir?: string;
  /** A free port unless given; a given port that is taken falls back to a free one (the URL says which). */
  port?: number;
  /** How often each concern asks the region, while a page listens. */
  pollMs?: number;
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

/** The port `npm start` asks for, next to the region's 4566. */
export const CONSOLE_PORT = 4580;

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const clients = regionClients(options.regionEndpoint, options.region ?? "us-east-1", options.credentials);
  const pollMs = options.pollMs ?? 2000;
  const pollers: Poller<unknown>[] = [];
  const shared = <T>(poll: () => Promise<T>, every = pollMs): StreamSource => {
    const poller = new Poller(poll, every);
    pollers.push(poller as Poller<unknown>);
    return () => (listener) => poller.subscribe(listener);
  };
  const services = new ServicesView(clients);
  const alarms = new AlarmsView(clients);
  const tasks = new TasksView(clients);
  const apps = new AppsView(clients);
  const loadBalancer = new LoadBalancerView(clients);
  const outbox = options.stateDir ? new Outbox(options.stateDir) : undefined;
  // One tail per (group, pattern), shared by the pages that show it, gone with the last of them.
  const tails = new Map<string, Poller<unknown>>();
  const logs: StreamSource = (query) => {
    const parsed = tailQuery.safeParse(Object.fromEntries(query));
    if (!parsed.success)
      return { error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
    const key = JSON.stringify(parsed.data);
    return (listener) => {
      let poller = tails.get(key);
      if (!poller) {
        const tail = new LogTail(clients, parsed.data);
        poller = new Poller(() => tail.poll(), pollMs) as Poller<unknown>;
        tails.set(key, poller);
      }
      const unsubscribe = poller.subscribe(listener);
      return () => {
        unsubscribe();
        // A late unsubscribe of a stopped tail must not drop the one that replaced it.
        if (poller.listening === 0 && tails.get(key) === poller) tails.delete(key);
      };
    };
  };
  const server = consoleServer({
    sessions: new Sessions(options.credentials),
    assets: await bundleAssets(),
    streams: {
      services: shared(() => services.snapshot()),
      alarms: shared(async () => ({ alarms: await alarms.snapshot(), outbox: await outbox?.list() })),
      tasks: shared(() => tasks.snapshot()),
      // Metrics move per minute: no need to ask as often.
      "load-balancer": shared(() => loadBalancer.snapshot(), pollMs * 2),
      // It asks the apps themselves (through the load balancer): seldom.
      apps: shared(() => apps.snapshot(), pollMs * 3),
      logs,
    },
    reads: {
      mail: async (query) => {
        const mail = await outbox?.read(query.get("file") ?? "");
        return mail
          ? { status: 200, body: mail }
          : { status: 404, body: { error: "no such e-mail in the outbox" } };
      },
    },
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(options.port ?? 0).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EADDRINUSE" || !options.port) throw error;
    return listen(0);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      for (const poller of [...pollers, ...tails.values()]) poller.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
