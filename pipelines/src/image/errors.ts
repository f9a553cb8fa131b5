// A push or promote fails inside @platform/image-format's ECR client, and the CLIs catch one error
// class for every image failure: so the class is the format's, and the image library shares it.
export { awsErrorName, ImageError } from "@platform/image-format";
