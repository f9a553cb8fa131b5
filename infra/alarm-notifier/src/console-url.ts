// Links into the CloudWatch console. Its logsV2 pages keep their path and query after `#`, escaped
// twice and with `%` written `$`: a log group `/a/b` is `$252Fa$252Fb`, and the query's own `?`, `=`
// and `&` are escaped once (`$3F`, `$3D`, `$26`), so the browser never reads them as the URL's.

/** What the console escapes beyond encodeURIComponent, so a pattern's quotes and brackets survive. */
const EXTRA = /[!'()*]/g;

function escapeOnce(text: string): string {
  return encodeURIComponent(text).replace(EXTRA, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function consoleEscape(text: string, times: 1 | 2 = 2): string {
  const escaped = times === 1 ? escapeOnce(text) : escapeOnce(escapeOnce(text));
  return escaped.replaceAll("%", "$");
}

function consoleHome(region: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}`;
}

export interface LogEventsLink {
  region: string;
  logGroupName: string;
  filterPattern: string;
  /** Milliseconds since the epoch. */
  start: number;
  end: number;
}

/** The log group's events matching the pattern within [start, end], all streams. */
export function logEventsUrl(link: LogEventsLink): string {
  const [eq, amp] = [consoleEscape("=", 1), consoleEscape("&", 1)];
  const query = [
    `filterPattern${eq}${consoleEscape(link.filterPattern)}`,
    `start${eq}${link.start}`,
    `end${eq}${link.end}`,
  ].join(amp);
  return `${consoleHome(link.region)}#logsV2:log-groups/log-group/${consoleEscape(link.logGroupName)}/log-events${consoleEscape("?", 1)}${query}`;
}

/** The alarm's own page. */
export function alarmUrl(region: string, alarmName: string): string {
  return `${consoleHome(region)}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}
