// Which quality metrics a job computes. VMAF and MS-SSIM come from libvmaf only; PSNR and SSIM from
// ffmpeg's own filters. Decided at submission from the host's filters (the API and its workers run
// the same image), so the worker runs what the job says and the result explains every null.

/** The earlier /vmaf request's flags (profile.vmaf), beside VMAF itself. */
export const VMAF_FLAGS = ["psnr", "ssim", "ms-ssim"] as const;
export type VmafFlag = (typeof VMAF_FLAGS)[number];

export interface QualityMetrics {
  vmaf: boolean;
  psnr: boolean;
  ssim: boolean;
  msSsim: boolean;
}

export type MetricName = keyof QualityMetrics;

/** What a job measures, and why a metric it was asked for is not measured. */
export interface QualityPlan {
  measure: QualityMetrics;
  unavailable: Partial<Record<MetricName, string>>;
}

/** `/quality` and `/vmaf` with `reference`: PSNR and SSIM as before, VMAF where the host has it. */
export const DEFAULT_METRICS: QualityMetrics = { vmaf: true, psnr: true, ssim: true, msSsim: false };

/** Quality jobs stored before plans were recorded: what they measured then. */
export const LEGACY_QUALITY_PLAN: QualityPlan = {
  measure: { vmaf: false, psnr: true, ssim: true, msSsim: false },
  unavailable: {},
};

/** The earlier `/vmaf` with `origin`: VMAF, plus the metrics its flags enable. */
export function metricsFromFlags(flags: Partial<Record<VmafFlag, boolean>>): QualityMetrics {
  return {
    vmaf: true,
    psnr: flags.psnr === true,
    ssim: flags.ssim === true,
    msSsim: flags["ms-ssim"] === true,
  };
}

export function qualityPlan(wanted: QualityMetrics, qualityFilters: readonly string[]): QualityPlan {
  const measure = { ...wanted };
  const unavailable: QualityPlan["unavailable"] = {};
  const needs = (metric: MetricName, filter: string, reason: string) => {
    if (measure[metric] && !qualityFilters.includes(filter)) {
      measure[metric] = false;
      unavailable[metric] = reason;
    }
  };
  const noLibvmaf = "this host's ffmpeg has no libvmaf filter (Debian's ffmpeg is built without it)";
  needs("vmaf", "libvmaf", noLibvmaf);
  needs("msSsim", "libvmaf", noLibvmaf);
  needs("psnr", "psnr", "this host's ffmpeg has no psnr filter");
  needs("ssim", "ssim", "this host's ffmpeg has no ssim filter");
  return { measure, unavailable };
}

/** libvmaf's JSON log (log_fmt=json): pooled means of the model and of the extra features. */
export function parseVmafLog(text: string): { vmaf: number | undefined; msSsim: number | undefined } {
  let log: unknown;
  try {
    log = JSON.parse(text);
  } catch {
    return { vmaf: undefined, msSsim: undefined };
  }
  const pooled = (log as { pooled_metrics?: Record<string, { mean?: unknown }> }).pooled_metrics ?? {};
  const mean = (name: string) => {
    const value = pooled[name]?.mean;
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
  };
  return { vmaf: mean("vmaf"), msSsim: mean("float_ms_ssim") };
}
