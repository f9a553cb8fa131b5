import { elementArgv, type GstElement } from "./gst-element.js";

// The filters' GStreamer pipeline: per route, RTP in from the browser's endpoint, VP8 decode, each
// filter's elements (objects/filters.ts), VP8 encode, RTP out. Kept pure (argv only) so it can be
// tested without GStreamer; route-runner.ts runs it.

/** One processed branch: RTP in from the browser's endpoint, through filters, RTP out. */
export interface GstBranch {
  inPort: number;
  outPort: number;
  filters: FilterGst[];
  /** The source is a file played at its own pace (a PlayerEndpoint): filters wait, never drop. */
  paced?: boolean;
}

/**
 * A filter's elements: `inline` ones change the picture and sit in the main path; `analysis` ones
 * only look at it (zbar, face detection events) and run on a leaky side branch, so a slow
 * analysis drops frames of its own instead of slowing the video down.
 */
export interface FilterGst {
  name: string;
  inline: GstElement[];
  analysis?: GstElement[];
  /** Where the analysis ends (default fakesink), for an analysis that keeps what it saw. */
  analysisSink?: GstElement;
  /**
   * Frames per second the analysis looks at. They are thinned before its queue, on the video's
   * thread (videorate only passes references on), so the analysis thread never works on more.
   */
  analysisFps?: number;
}

export const VP8_PAYLOAD_TYPE = 96;

/**
 * The gst-launch-1.0 argv for a pipeline's processed branches, one token per argv entry. Every
 * element and property comes from our own tables or from validated filter settings.
 */
export function gstLaunchArgv(branches: GstBranch[]): string[] {
  const argv = ["-m", "-e"];
  for (const branch of branches) {
    argv.push(...branchArgv(branch));
  }
  return argv;
}

function branchArgv(b: GstBranch): string[] {
  const chain: GstElement[] = [
    {
      factory: "udpsrc",
      props: {
        address: "127.0.0.1",
        port: b.inPort,
        caps: `application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=${VP8_PAYLOAD_TYPE}`,
      },
    },
    { factory: "rtpvp8depay", props: {} },
    { factory: "vp8dec", props: { threads: 1 } },
    // The thread that reads the socket only depacketizes and decodes (every frame must be, VP8
    // frames depend on the ones before); filters and encoder get a thread of their own behind a
    // one-frame leaky queue. When they fall behind on a loaded machine, decoded frames are dropped
    // here; without it the RTP packets waited in the socket's kernel buffer, seconds of them.
    b.paced ? { factory: "queue", props: {} } : leakyQueue(),
    { factory: "videoconvert", props: {} },
    ...b.filters.flatMap((f) => [
      ...(f.analysis ? [{ factory: "tee", props: { name: `${f.name}_tee` } }] : []),
      // A filter slower than the camera drops frames here instead of piling up latency.
      ...(f.inline.length > 0 ? [b.paced ? { factory: "queue", props: {} } : leakyQueue()] : []),
      ...f.inline.flatMap((e) => [e, { factory: "videoconvert", props: {} }]),
    ]),
    {
      factory: "vp8enc",
      props: {
        deadline: 1,
        "cpu-used": 16,
        "lag-in-frames": 0,
        "end-usage": "cbr",
        "target-bitrate": 1_500_000,
        "keyframe-max-dist": 60,
        "error-resilient": "default",
        threads: 1,
        "buffer-size": 300,
        "buffer-initial-size": 200,
        "buffer-optimal-size": 250,
      },
    },
    { factory: "rtpvp8pay", props: { pt: VP8_PAYLOAD_TYPE, mtu: 1200, "picture-id-mode": "15-bit" } },
    { factory: "udpsink", props: { host: "127.0.0.1", port: b.outPort, sync: false, async: false } },
  ];
  const side = b.filters.flatMap((f) =>
    f.analysis
      ? [
          `${f.name}_tee.`,
          ...link(
            [
              ...(f.analysisFps ? frameRate(f.analysisFps) : []),
              // Named: its thread (`<name>_aq:src`) is the analysis, run at a lower priority (thread-priority.ts).
              leakyQueue(analysisQueueName(f.name)),
              ...f.analysis,
              f.analysisSink ?? { factory: "fakesink", props: { sync: false, async: false } },
            ],
            true,
          ),
        ]
      : [],
  );
  return [...link(chain, false), ...side];
}

function link(elements: GstElement[], fromPad: boolean): string[] {
  return elements.flatMap((e, i) => (i === 0 && !fromPad ? elementArgv(e) : ["!", ...elementArgv(e)]));
}

const leakyQueue = (name?: string): GstElement => ({
  factory: "queue",
  props: { ...(name ? { name } : {}), "max-size-buffers": 1, leaky: "downstream" },
});

/** The analysis queue of filter `name`; GStreamer names its streaming thread `<queue>:src`. */
export const analysisQueueName = (name: string) => `${name}_aq`;

// A fixed output rate: videorate drop-only aborts on RTP-decoded frames (GStreamer 1.22).
const frameRate = (fps: number): GstElement[] => [
  { factory: "videorate", props: {} },
  { factory: "capsfilter", props: { caps: `video/x-raw,framerate=${fps}/1` } },
];
