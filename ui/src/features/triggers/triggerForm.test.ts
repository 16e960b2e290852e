import { describe, expect, it } from "vitest";
import type { UserPoolType } from "../../generated/cognito-idp";
import {
  configuredFunction,
  configuredTriggers,
  errorName,
  functionArnError,
  toLambdaConfig,
  toUpdateTriggersRequest,
  triggersFromPool,
  triggersSchema,
  type TriggersFormInput,
} from "./triggerForm";

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up";
const TOKEN_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:tokens:live";

const parse = (v: TriggersFormInput) => triggersSchema.parse(v);

describe("function ARNs", () => {
  it("takes Lambda function ARNs, with a version or alias, in any partition", () => {
    for (const ok of [
      ARN,
      TOKEN_ARN,
      "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
      "arn:aws:lambda:us-east-1:123456789012:function:f:7",
      "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:My_Function-2",
      "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
      "",
    ]) {
      expect(functionArnError(ok), ok).toBeUndefined();
    }
  });

  it("refuses what is not one", () => {
    for (const bad of [
      "pre-sign-up",
      "arn:aws:lambda:us-east-1:1234:function:f",
      "arn:aws:lambda:us-east-1:123456789012:layer:f",
      "arn:aws:iam::123456789012:role/f",
      "arn:aws:lambda:useast1:123456789012:function:f",
      "arn:aws:lambda:us-east-1:123456789012:function:",
      "arn:aws:lambda:us-east-1:123456789012:function:f:a:b",
      "arn:aws:lambda:us-east-1:123456789012:function:my function",
    ]) {
      expect(functionArnError(bad), bad).toMatch(/Lambda function ARN/);
    }
  });
});

describe("reading LambdaConfig", () => {
  it("takes pre token generation from PreTokenGenerationConfig before the plain ARN, as the server does", () => {
    expect(configuredFunction({ PreTokenGeneration: "arn:old" }, "PreTokenGeneration")).toEqual({ arn: "arn:old", version: "V1_0" });
    expect(
      configuredFunction({ PreTokenGeneration: "arn:old", PreTokenGenerationConfig: { LambdaVersion: "V2_0", LambdaArn: "arn:new" } }, "PreTokenGeneration"),
    ).toEqual({ arn: "arn:new", version: "V2_0" });
    expect(configuredFunction({ PreTokenGenerationConfig: { LambdaVersion: "V2_0", LambdaArn: "" }, PreTokenGeneration: "arn:old" }, "PreTokenGeneration")).toEqual({
      arn: "arn:old",
      version: "V1_0",
    });
    expect(configuredFunction({}, "PreSignUp")).toBeUndefined();
    expect(configuredTriggers({ PreSignUp: ARN, PostConfirmation: "", PreTokenGenerationConfig: { LambdaVersion: "V3_0", LambdaArn: TOKEN_ARN } })).toEqual([
      "PreSignUp",
      "PreTokenGeneration",
    ]);
  });

  it("fills the form from the pool", () => {
    const v = triggersFromPool({ Id: "p", LambdaConfig: { PreSignUp: ARN, PreTokenGenerationConfig: { LambdaVersion: "V3_0", LambdaArn: TOKEN_ARN } } });
    expect(v.arns.PreSignUp).toBe(ARN);
    expect(v.arns.PreTokenGeneration).toBe(TOKEN_ARN);
    expect(v.arns.PostConfirmation).toBe("");
    expect(v.preTokenVersion).toBe("V3_0");
    expect(triggersFromPool({ Id: "p" }).preTokenVersion).toBe("V1_0");
  });
});

describe("writing LambdaConfig", () => {
  const empty = triggersFromPool({ Id: "p" });

  it("saves pre token generation V1_0 both ways, later versions only as PreTokenGenerationConfig", () => {
    const v1 = toLambdaConfig(undefined, parse({ ...empty, arns: { ...empty.arns, PreTokenGeneration: TOKEN_ARN } }));
    expect(v1).toEqual({ PreTokenGeneration: TOKEN_ARN, PreTokenGenerationConfig: { LambdaVersion: "V1_0", LambdaArn: TOKEN_ARN } });
    const v2 = toLambdaConfig({ PreTokenGeneration: "arn:old" }, parse({ arns: { ...empty.arns, PreTokenGeneration: TOKEN_ARN }, preTokenVersion: "V2_0" }));
    expect(v2).toEqual({ PreTokenGenerationConfig: { LambdaVersion: "V2_0", LambdaArn: TOKEN_ARN } });
  });

  it("drops cleared triggers, trims ARNs, and keeps the senders the form does not show", () => {
    const current = {
      PostConfirmation: ARN,
      PreTokenGeneration: TOKEN_ARN,
      PreTokenGenerationConfig: { LambdaVersion: "V1_0" as const, LambdaArn: TOKEN_ARN },
      CustomSMSSender: { LambdaVersion: "V1_0" as const, LambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:sms" },
      CustomEmailSender: { LambdaVersion: "V1_0" as const, LambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:mail" },
      KMSKeyID: "arn:aws:kms:us-east-1:123456789012:key/k",
    };
    const v = parse({ ...empty, arns: { ...empty.arns, PreSignUp: `  ${ARN} ` } });
    expect(toLambdaConfig(current, v)).toEqual({
      PreSignUp: ARN,
      CustomSMSSender: current.CustomSMSSender,
      CustomEmailSender: current.CustomEmailSender,
      KMSKeyID: current.KMSKeyID,
    });
  });

  it("sends every other setting of the pool unchanged", () => {
    const pool: UserPoolType = {
      Id: "p",
      Name: "shop",
      MfaConfiguration: "OPTIONAL",
      AutoVerifiedAttributes: ["email"],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: true } },
      DeletionProtection: "ACTIVE",
      EmailVerificationSubject: "Your code",
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
      SchemaAttributes: [{ Name: "email" }],
      LambdaConfig: { PostAuthentication: ARN },
    };
    const req = toUpdateTriggersRequest(pool, parse({ ...empty, arns: { ...empty.arns, PreSignUp: ARN } }));
    expect(req).toEqual({
      UserPoolId: "p",
      PoolName: "shop",
      MfaConfiguration: "OPTIONAL",
      AutoVerifiedAttributes: ["email"],
      Policies: pool.Policies,
      DeletionProtection: "ACTIVE",
      EmailVerificationSubject: "Your code",
      AccountRecoverySetting: pool.AccountRecoverySetting,
      LambdaConfig: { PreSignUp: ARN },
    });
  });

  it("refuses a wrong ARN before anything is sent", () => {
    const r = triggersSchema.safeParse({ ...empty, arns: { ...empty.arns, CustomMessage: "my-function" } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(["arns", "CustomMessage"]);
  });
});

it("names an error by its exception", () => {
  expect(errorName("UserLambdaValidationException: PreSignUp failed with error nope.")).toBe("UserLambdaValidationException");
  expect(errorName("Timeout")).toBe("Timeout");
});
