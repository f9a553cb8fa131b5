import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

// The apps' AWS clients take everything from the standard configuration: region, credentials and
// endpoint (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDWATCH, endpoint_url in the profile), which SDK
// v3 resolves itself. Nothing here names an endpoint, so the local region and AWS need no code.
// Telemetry must never hold a request up for long: few attempts, short timeouts.

const QUICK = { maxAttempts: 2, requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 } };

export const cloudWatchClient = () => new CloudWatchClient(QUICK);
export const cloudWatchLogsClient = () => new CloudWatchLogsClient(QUICK);
