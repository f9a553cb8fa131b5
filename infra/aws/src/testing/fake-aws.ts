// What the mocked AWS answers: computed attributes shaped like AWS's, and data-source results. A call
// this file doesn't know fails the test, so a new lookup in the program can't pass silently.

export const FAKE_ACCOUNT = "123456789012";
export const FAKE_REGION = "eu-west-1";
/** Returned wherever a mocked data source could hand a secret to the program; it must never reach an input. */
export const FAKE_SECRET_VALUE = "fake-Secret-Value-9f8e7d6c5b4a";

const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${FAKE_REGION}:${FAKE_ACCOUNT}:${resource}`;

const targetGroup = (name: string) => ({
  arn: arn("elasticloadbalancing", `targetgroup/${name}/0123456789abcdef`),
  arnSuffix: `targetgroup/${name}/0123456789abcdef`,
});

const listenerRule = (listener: string, name: string) =>
  arn("elasticloadbalancing", `listener-rule/app/platform/0123456789abcdef/${listener}/${name}`);

/** Every service gets both groups and both rules, so any strategy a test's spec chooses finds them. */
export function fakeSharedOutputs(): Record<string, unknown> {
  const targetGroups: Record<string, { arn: string; arnSuffix: string }> = {};
  const alternateTargetGroups: Record<string, { arn: string; arnSuffix: string }> = {};
  const listenerRules: Record<string, { production: string; test: string }> = {};
  for (const env of ["qa", "prod"]) {
    for (const app of ["api", "media-server"]) {
      const name = `${app}-${env}`;
      targetGroups[name] = targetGroup(name);
      alternateTargetGroups[`${name}-green`] = targetGroup(`${name}-green`);
      listenerRules[name] = { production: listenerRule("https", name), test: listenerRule("test", name) };
    }
  }
  return {
    vpcId: "vpc-0123456789abcdef0",
    publicSubnetIds: ["subnet-0aaa", "subnet-0bbb"],
    privateSubnetIds: ["subnet-0ccc", "subnet-0ddd"],
    clusterName: "platform",
    clusterArn: arn("ecs", "cluster/platform"),
    capacityProviderName: "platform-capacity",
    instanceSecurityGroupId: "sg-instances",
    albSecurityGroupId: "sg-alb",
    albArnSuffix: "app/platform/0123456789abcdef",
    albDnsName: "platform-123.eu-west-1.elb.amazonaws.com",
    targetGroups,
    alternateTargetGroups,
    listenerRules,
    loadBalancerRoleArn: arn("iam", "role/ecs-load-balancers").replace(`:${FAKE_REGION}:`, "::"),
  };
}

export function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  shared: Record<string, unknown>,
): Record<string, unknown> {
  const physical = typeof inputs.name === "string" ? inputs.name : `${name}-1a2b3c`;
  const base = { ...inputs, id: `${name}-id`, name: physical };
  switch (type) {
    case "pulumi:pulumi:StackReference":
      return { id: String(inputs.name), name: inputs.name, outputs: shared, secretOutputNames: [] };
    case "aws:lb/loadBalancer:LoadBalancer":
      return {
        ...base,
        arn: arn("elasticloadbalancing", `loadbalancer/app/${physical}/0123456789abcdef`),
        arnSuffix: `app/${physical}/0123456789abcdef`,
        dnsName: `${physical}-123.${FAKE_REGION}.elb.amazonaws.com`,
        zoneId: "Z32O12XQLNTSW2",
      };
    case "aws:lb/targetGroup:TargetGroup":
      return {
        ...base,
        arn: arn("elasticloadbalancing", `targetgroup/${physical}/0123456789abcdef`),
        arnSuffix: `targetgroup/${physical}/0123456789abcdef`,
      };
    case "aws:ecr/repository:Repository":
      return {
        ...base,
        arn: arn("ecr", `repository/${physical}`),
        repositoryUrl: `${FAKE_ACCOUNT}.dkr.ecr.${FAKE_REGION}.amazonaws.com/${physical}`,
      };
    case "aws:ec2/securityGroup:SecurityGroup":
      return { ...base, id: `sg-${name}`, arn: arn("ec2", `security-group/sg-${name}`) };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { ...base, latestVersion: 1, arn: arn("ec2", `launch-template/lt-${name}`) };
    case "aws:rds/instance:Instance":
      return {
        ...base,
        arn: arn("rds", `db:${name}`),
        address: `${name}.abc.${FAKE_REGION}.rds.amazonaws.com`,
        port: 5432,
        masterUserSecrets: [
          { secretArn: arn("secretsmanager", `secret:rds!db-${name}-AbCdEf`), secretStatus: "active" },
        ],
      };
    case "aws:sns/topic:Topic":
      return { ...base, arn: arn("sns", physical) };
    case "aws:lambda/function:Function":
      return { ...base, arn: arn("lambda", `function:${physical}`) };
    case "aws:s3/bucket:Bucket":
      return { ...base, bucket: `${name}-1a2b3c`, arn: `arn:aws:s3:::${name}-1a2b3c` };
    default:
      return { ...base, arn: arn(type.split(":")[1]?.split("/")[0] ?? "unknown", `${name}`) };
  }
}

export function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "aws:ssm/getParameter:getParameter":
      return String(inputs.name).startsWith("/aws/service/")
        ? { name: inputs.name, type: "String", value: "ami-0123456789abcdef0" }
        : { name: inputs.name, type: "SecureString", value: FAKE_SECRET_VALUE };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: FAKE_ACCOUNT, arn: `arn:aws:iam::${FAKE_ACCOUNT}:user/ci`, userId: "AIDAEXAMPLE" };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com" };
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return {
        names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
      };
    case "aws:secretsmanager/getSecret:getSecret":
      return { name: inputs.name, arn: arn("secretsmanager", `secret:${String(inputs.name)}-AbCdEf`) };
    case "aws:secretsmanager/getSecretVersion:getSecretVersion":
      return { secretString: FAKE_SECRET_VALUE };
    default:
      throw new Error(`the test's fake AWS has no answer for ${token}: add one to src/testing/fake-aws.ts`);
  }
}
