import type { Durable, OperationHandler, ScalableResources } from "../../contracts.js";
import { paginate } from "../../wire/paging.js";
import { reqString } from "../../wire/params.js";
import {
  describeFilter,
  describeTargetsFilter,
  invalidToken,
  pageRequest,
  putPolicyInput,
  registerTargetInput,
  targetKeyInput,
} from "./input.js";
import { type AutoScalingModel, type AutoScalingState, validation } from "./model.js";
import { activityView, alarmsView, policyView, scalableTargetView } from "./views.js";

// Application Auto Scaling's operations: decoded input, model call, commit, API-shaped output. A
// policy's alarms live in CloudWatch's state, so a change commits both: the alarms first, so that
// no committed policy names an alarm that is not on disk.

export function autoScalingOperations(
  model: AutoScalingModel,
  durable: Durable<AutoScalingState>,
  alarms: Durable<unknown>,
  resources: ScalableResources,
): Record<string, OperationHandler> {
  const change =
    (handler: OperationHandler): OperationHandler =>
    async (input, ctx) => {
      const output = await handler(input, ctx);
      alarms.commit();
      durable.commit();
      return output;
    };
  return {
    RegisterScalableTarget: change((input, ctx) => {
      const request = registerTargetInput(input);
      if (resources.get(request.scalableDimension)?.capacity(request.resourceId) === undefined) {
        throw validation(`ECS service doesn't exist: ${request.resourceId}`);
      }
      return { ScalableTargetARN: model.registerScalableTarget(request, ctx).arn };
    }),
    DeregisterScalableTarget: change((input) => {
      model.deregisterScalableTarget(targetKeyInput(input));
      return {};
    }),
    DescribeScalableTargets: (input) => {
      const page = paginate(
        model.describeScalableTargets(describeTargetsFilter(input)),
        pageRequest(input),
        invalidToken,
      );
      return { ScalableTargets: page.items.map(scalableTargetView), NextToken: page.next };
    },
    PutScalingPolicy: change((input, ctx) => {
      const policy = model.putScalingPolicy(putPolicyInput(input), ctx);
      return { PolicyARN: policy.arn, Alarms: alarmsView(policy) };
    }),
    DescribeScalingPolicies: (input) => {
      const page = paginate(
        model.describeScalingPolicies(describeFilter(input)),
        pageRequest(input),
        invalidToken,
      );
      return { ScalingPolicies: page.items.map(policyView), NextToken: page.next };
    },
    DeleteScalingPolicy: change((input) => {
      model.deleteScalingPolicy(targetKeyInput(input), reqString(input, "PolicyName"));
      return {};
    }),
    DescribeScalingActivities: (input) => {
      const page = paginate(
        model.describeScalingActivities(describeFilter(input)),
        pageRequest(input),
        invalidToken,
      );
      return { ScalingActivities: page.items.map(activityView), NextToken: page.next };
    },
  };
}
