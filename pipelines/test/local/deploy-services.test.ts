import { describe, expect, it } from "vitest";
import { ecsHook } from "../../src/local/deploy-services.js";

// npm start's deployment settings as ECS takes them (the region validates the same shape as AWS).

describe("a spec lifecycle hook as ECS takes it", () => {
  it("puts the timeout and its action in timeoutConfiguration, where ECS reads them", () => {
    expect(
      ecsHook({
        targetType: "PAUSE",
        lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
        timeoutInMinutes: 3,
        timeoutAction: "CONTINUE",
      }),
    ).toEqual({
      targetType: "PAUSE",
      lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
      timeoutConfiguration: { timeoutInMinutes: 3, action: "CONTINUE" },
    });
  });

  it("gives no timeoutConfiguration when the spec sets none (ECS's defaults: 24 h, ROLLBACK)", () => {
    expect(ecsHook({ targetType: "PAUSE", lifecycleStages: ["PRE_SCALE_UP"] })).toEqual({
      targetType: "PAUSE",
      lifecycleStages: ["PRE_SCALE_UP"],
    });
  });
});
