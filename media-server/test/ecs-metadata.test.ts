import type { ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeStun } from "./helpers/fake-stun.js";
import { startServerProcess } from "./helpers/process.js";
import { TestRpc } from "./helpers/rpc-client.js";
import { makeOffer } from "./helpers/werift-client.js";

// ECS itself can't run here: a stand-in for the task metadata endpoint v4 (container document), in
// bridge mode as ECS writes it: HostIp 0.0.0.0, and each UDP container port mapped to a dynamic host port.
const CONTAINER_PORTS = [46510, 46511, 46512];
const HOST_PORTS = [61001, 61002, 61003];
const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/media-server-qa:v42";

function containerDocument() {
  return {
    Name: "media-server",
    Image: IMAGE,
    Ports: [
      { ContainerPort: 8888, Protocol: "tcp", HostPort: 61000, HostIp: "0.0.0.0" },
      ...CONTAINER_PORTS.map((p, i) => ({
        ContainerPort: p,
        Protocol: "udp",
        HostPort: HOST_PORTS[i],
        HostIp: "0.0.0.0",
      })),
    ],
  };
}

/** The candidates a browser is sent: in the SDP answer and in the first IceCandidateFound event. */
async function candidatesSent(url: string) {
  const rpc = await TestRpc.open(url);
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
  const host = [...answer.matchAll(/a=candidate:\S+ \d+ udp \d+ (\S+) (\d+) typ host/g)].map(
    ([, ip, port]) => ({
      ip: ip!,
      port: Number(port),
    }),
  );
  return {
    ipv4: host.filter((c) => !c.ip.includes(":")),
    all: host,
    trickled: (found.data.candidate as { candidate: string }).candidate,
  };
}

describe("on ECS (bridge mode)", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startOnEcs(env: Record<string, string>): Promise<string> {
    const metadata: Server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(containerDocument()));
    });
    await new Promise<void>((r) => metadata.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => metadata.close(() => r())));
    const started = await startServerProcess({
      ECS_CONTAINER_METADATA_URI_V4: `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/v4/abc`,
      MEDIA_UDP_PORTS: `${CONTAINER_PORTS[0]}-${CONTAINER_PORTS.at(-1)}`,
      ...env,
    });
    const child: ChildProcess = started.child;
    cleanups.push(() => void child.kill("SIGKILL"));
    return started.url;
  }

  it("reports its image and advertises the host ports ECS mapped to its UDP container ports", async () => {
    const url = await startOnEcs({ PUBLIC_IP: "203.0.113.7" });
    const version = (await (await fetch(`${url}/media/version`)).json()) as { image: string };
    expect(version.image).toBe(IMAGE);

    const sent = await candidatesSent(url);
    expect(sent.ipv4.length).toBeGreaterThan(0);
    expect(new Set(sent.ipv4.map((c) => c.ip))).toEqual(new Set(["203.0.113.7"]));
    for (const c of sent.all) expect(HOST_PORTS).toContain(c.port);
    expect(sent.trickled).toMatch(/ 203\.0\.113\.7 (61001|61002|61003) typ host/);
  });

  it("learns the public address from STUN when ECS gives 0.0.0.0 and nobody sets PUBLIC_IP", async () => {
    // The answer a STUN server on the internet gives a task behind the instance's public address.
    const stun = await startFakeStun("198.51.100.23");
    cleanups.push(() => stun.close());
    const url = await startOnEcs({ STUN_SERVER: `127.0.0.1:${stun.port}` });

    const sent = await candidatesSent(url);
    expect(stun.requests()).toBeGreaterThan(0);
    expect(new Set(sent.ipv4.map((c) => c.ip))).toEqual(new Set(["198.51.100.23"]));
    // The port is the one ECS mapped, not the one the STUN server saw.
    for (const c of sent.all) expect(HOST_PORTS).toContain(c.port);
    expect(sent.trickled).toMatch(/ 198\.51\.100\.23 (61001|61002|61003) typ host/);
  });
});
