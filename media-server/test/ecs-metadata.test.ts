import type { ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { startServerProcess } from "./helpers/process.js";
import { TestRpc } from "./helpers/rpc-client.js";
import { makeOffer } from "./helpers/werift-client.js";

// ECS itself can't run here: a stand-in for the task metadata endpoint v4 (container document).
const CONTAINER_PORTS = [46510, 46511, 46512];
const HOST_PORTS = [32801, 32802, 32803];

describe("on ECS (bridge mode)", () => {
  let metadata: Server | undefined;
  let child: ChildProcess | undefined;
  afterAll(async () => {
    child?.kill("SIGKILL");
    await new Promise((r) => metadata?.close(r));
  });

  it("reports its image and advertises the host ports ECS mapped to its UDP container ports", async () => {
    metadata = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          Name: "media-server",
          Image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/media-server-qa:v42",
          Ports: [
            { ContainerPort: 8888, Protocol: "tcp", HostPort: 32800, HostIp: "0.0.0.0" },
            ...CONTAINER_PORTS.map((p, i) => ({
              ContainerPort: p,
              Protocol: "udp",
              HostPort: HOST_PORTS[i],
              HostIp: "0.0.0.0",
            })),
          ],
        }),
      );
    });
    await new Promise<void>((r) => metadata!.listen(0, "127.0.0.1", r));
    const started = await startServerProcess({
      ECS_CONTAINER_METADATA_URI_V4: `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/v4/abc`,
      MEDIA_UDP_PORTS: `${CONTAINER_PORTS[0]}-${CONTAINER_PORTS.at(-1)}`,
      PUBLIC_IP: "203.0.113.7",
    });
    child = started.child;
    const version = (await (await fetch(`${started.url}/media/version`)).json()) as { image: string };
    expect(version.image).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/media-server-qa:v42");

    const rpc = await TestRpc.open(started.url);
    const pipeline = await rpc.value("create", { type: "MediaPipeline" });
    const endpoint = await rpc.value("create", {
      type: "WebRtcEndpoint",
      constructorParams: { mediaPipeline: pipeline },
    });
    await rpc.value("subscribe", { object: endpoint, type: "IceCandidateFound" });
    const offer = await makeOffer();
    const answer = await rpc.invoke<string>(endpoint, "processOffer", { offer: offer.sdp });
    await rpc.invoke(endpoint, "gatherCandidates");
    const found = await rpc.waitForEvent((e) => e.type === "IceCandidateFound");
    await offer.close();
    await rpc.close();

    const hostCandidates = [...answer.matchAll(/a=candidate:\S+ \d+ udp \d+ (\S+) (\d+) typ host/g)];
    const ipv4 = hostCandidates.filter(([, ip]) => !ip!.includes(":"));
    expect(ipv4.length).toBeGreaterThan(0);
    expect(new Set(ipv4.map(([, ip]) => ip))).toEqual(new Set(["203.0.113.7"]));
    for (const [, , port] of hostCandidates) expect(HOST_PORTS).toContain(Number(port));
    expect((found.data.candidate as { candidate: string }).candidate).toMatch(
      / 203\.0\.113\.7 (32801|32802|32803) typ host/,
    );
  });
});
