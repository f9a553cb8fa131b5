// The media demo page in headless Chromium: one driver, the pipeline's (its WebRTC check uses the
// same functions), so the suites and the pipeline read the page the same way.
export {
  framesDecoded,
  launchChromium,
  sessionState,
  startFilter,
  stopFilter,
} from "@platform/pipelines/pipeline/checks/media-demo-page";
