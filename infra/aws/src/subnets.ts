// Pure CIDR arithmetic for a new VPC: public subnets take the first blocks, private ones the second half.

const SUBNET_EXTRA_BITS = 4;

export interface SubnetPlan {
  publicCidrs: string[];
  privateCidrs: string[];
}

export function planSubnets(vpcCidr: string, zones: number): SubnetPlan {
  const [address, prefixText] = vpcCidr.split("/");
  const prefix = Number(prefixText);
  if (!address || !Number.isInteger(prefix) || prefix > 32 - SUBNET_EXTRA_BITS - 4) {
    throw new Error(
      `network.cidrBlock ${vpcCidr}: need an IPv4 CIDR of /${32 - SUBNET_EXTRA_BITS - 4} or larger`,
    );
  }
  const blocks = 2 ** SUBNET_EXTRA_BITS;
  if (zones * 2 > blocks) throw new Error(`network.availabilityZones ${zones}: at most ${blocks / 2}`);
  const base = toInt(address);
  const size = 2 ** (32 - prefix - SUBNET_EXTRA_BITS);
  const cidr = (index: number) => `${toAddress(base + index * size)}/${prefix + SUBNET_EXTRA_BITS}`;
  const zoneIndexes = Array.from({ length: zones }, (_, i) => i);
  return {
    publicCidrs: zoneIndexes.map((i) => cidr(i)),
    privateCidrs: zoneIndexes.map((i) => cidr(blocks / 2 + i)),
  };
}

function toInt(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}
