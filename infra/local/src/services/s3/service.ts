import type { RestServiceDefinition } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { emptyS3State, S3Model, type S3State } from "./model.js";
import { ObjectFiles } from "./object-files.js";
import { s3Handler, sendS3Error } from "./responses.js";

/** S3 on its durable state (`s3.json`) and its object files (`<stateDir>/s3/`), over REST-XML. */
export function createS3Service(
  states: DurableStates,
  stateDir: string,
): LocalService<S3Model, S3State, RestServiceDefinition> {
  const durable = states("s3", emptyS3State);
  const model = new S3Model(durable.state);
  const files = new ObjectFiles(stateDir);
  return {
    model,
    durable,
    definition: {
      protocol: "rest",
      signingName: "s3",
      handle: s3Handler(model, durable, files),
      sendError: sendS3Error,
      signing: { pathAsSent: true, presigned: true },
      authErrorCodes: {
        missing: "AccessDenied",
        incomplete: "AuthorizationHeaderMalformed",
        unknownKey: "InvalidAccessKeyId",
        mismatch: "SignatureDoesNotMatch",
        expired: "RequestTimeTooSkewed",
        urlExpired: "AccessDenied",
      },
    },
  };
}
