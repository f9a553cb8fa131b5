import { CreateRepositoryCommand } from "@aws-sdk/client-ecr";
import { CreateServiceCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { packImage } from "@platform/image-format";
import { testTargetGroup } from "@platform/local-region/testing";
import { pushImage } from "@platform/pipelines/image/index";
import { CLUSTER, type LocalRegionProcess } from "./region-process.js";

// Neither app echoes the headers the load balancer adds, so a tiny image that does is deployed
// beside them: its own repository, target group, host rule (on every listener) and ECS service,
// all through the AWS API, the way a team would add a third service.

export const ECHO = { name: "e2e-echo", host: "echo.localhost", containerPort: 8080 } as const;

const ECHO_SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  const body = JSON.stringify({ path: req.url, headers: req.headers });
  res.writeHead(200, { "content-type": "application/json" });
  res.end(body);
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

/** What the echo service answers: the request line's path and the headers it received. */
export interface Echo {
  path: string;
  headers: Record<string, string>;
}

export async function deployEchoService(region: LocalRegionProcess): Promise<void> {
  const { ecr, ecs, elb } = region.clients();
  await ecr.send(new CreateRepositoryCommand({ repositoryName: ECHO.name }));
  const packed = await packImage({
    files: [{ path: "app/server.js", content: ECHO_SERVER }],
    config: {
      Cmd: ["node", "server.js"],
      WorkingDir: "/app",
      ExposedPorts: { [`${ECHO.containerPort}/tcp`]: {} },
    },
  });
  const image = await pushImage(ecr, ECHO.name, "v1", packed);

  const group = await elb.send(new CreateTargetGroupCommand(testTargetGroup(ECHO.name, ECHO.containerPort)));
  const targetGroupArn = group.TargetGroups?.[0]?.TargetGroupArn as string;
  const balancers = await elb.send(new DescribeLoadBalancersCommand({ Names: ["platform"] }));
  const listeners = await elb.send(
    new DescribeListenersCommand({ LoadBalancerArn: balancers.LoadBalancers?.[0]?.LoadBalancerArn }),
  );
  for (const listener of listeners.Listeners ?? []) {
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 1,
        Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [ECHO.host] } }],
        Actions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      }),
    );
  }

  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: ECHO.name,
      networkMode: "bridge",
      containerDefinitions: [
        {
          name: "echo",
          image: image.pinnedUri,
          memory: 128,
          essential: true,
          stopTimeout: 5,
          portMappings: [{ containerPort: ECHO.containerPort, hostPort: 0, protocol: "tcp" }],
        },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: ECHO.name,
      taskDefinition: definition.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      loadBalancers: [{ targetGroupArn, containerName: "echo", containerPort: ECHO.containerPort }],
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
    }),
  );
  await region.waitUntilSteady([ECHO.name], 60_000);
}
