import type { MetricSink } from "../../contracts.js";
import type { Elbv2Model } from "../../services/elbv2/model.js";
import { loadOrCreateCertificate } from "./certificate.js";
import { HealthChecker } from "./health-checker.js";
import { ListenerServers } from "./listeners.js";
import { AlbMetricsPublisher } from "./metrics-publisher.js";
import { ForwardingProxy } from "./proxy.js";
import { TargetRegistry } from "./target-registry.js";

// The load balancer as one unit: it follows the ELBv2 model (listeners, targets), serves traffic
// and, given a MetricSink, publishes AWS/ApplicationELB's metrics.

export class LoadBalancer {
  readonly registry: TargetRegistry;
  private readonly checker: HealthChecker;
  private readonly proxy: ForwardingProxy;
  private servers?: ListenerServers;
  private unsubscribe?: () => void;
  private readonly publisher: AlbMetricsPublisher | undefined;

  constructor(
    private readonly model: Elbv2Model,
    private readonly log: (message: string) => void = (m) => console.error(m),
    metrics?: MetricSink,
  ) {
    this.registry = new TargetRegistry(model);
    this.checker = new HealthChecker(model, this.registry);
    this.publisher = metrics && new AlbMetricsPublisher(model, this.registry, metrics, log);
    this.proxy = new ForwardingProxy(model, this.registry, this.publisher?.metrics);
  }

  async start(stateDir: string): Promise<void> {
    const tls = await loadOrCreateCertificate(stateDir);
    const servers = new ListenerServers(this.model, this.proxy, tls, this.log);
    this.servers = servers;
    this.unsubscribe = this.model.subscribe(() => {
      this.registry.reconcile();
      servers.sync();
    });
    this.registry.reconcile();
    servers.sync();
    await servers.settled();
    this.publisher?.start();
  }

  /** Resolves once listener servers match the model (after a change). */
  settled(): Promise<void> {
    return this.servers?.settled() ?? Promise.resolve();
  }

  failures(): ReadonlyMap<number, string> {
    return this.servers?.failures() ?? new Map();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.publisher?.stop();
    this.checker.stop();
    await this.servers?.close();
    this.registry.close();
    this.proxy.close();
  }
}
