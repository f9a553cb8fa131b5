import type { Datapoint } from "@aws-sdk/client-cloudwatch";
import { XmlMap } from "../../wire/query-codec.js";

// The model's answers in CloudWatch's response shapes. They are the SDK's shapes already; what the
// two protocols write differently (a map's XML entries) is marked here, dates by the wire.

export function datapointView(point: Datapoint) {
  const { ExtendedStatistics, ...rest } = point;
  return ExtendedStatistics ? { ...rest, ExtendedStatistics: new XmlMap(ExtendedStatistics) } : rest;
}
