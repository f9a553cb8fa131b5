import {
  DescribeServiceDeploymentsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
} from "@aws-sdk/client-ecs";

/** A service's newest service deployment, as DescribeServiceDeployments shows it. */
export async function newestServiceDeployment(
  ecs: ECSClient,
  cluster: string,
  service: string,
): Promise<ServiceDeployment | undefined> {
  const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service }));
  const arn = list.serviceDeployments?.[0]?.serviceDeploymentArn;
  if (!arn) return undefined;
  const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  return out.serviceDeployments?.[0];
}
