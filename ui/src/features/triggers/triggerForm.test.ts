import { describe, expect, it } from "vitest";
import type { UserPoolType } from "../../generated/cognito-idp";
import {
  configuredFunction,
  configuredTriggers,
  errorName,
  functionArnError,
  KMS_KEY_REQUIRED,
  kmsKeyArnError,
  toLambdaConfig,
  toUpdateTriggersRequest,
  triggersFromPool,
  triggersSchema,
  type TriggersFormInput,
} from "./triggerForm";

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up";
const TOKEN_ARN = "arn:aws:lambda:eu-west-2:123456789012:function:tokens:live";
const MAIL = "arn:aws:lambda:us-east-1:123456789012:function:mail";
const SMS = "arn:aws:lambda:us-east-1:123456789012:function:sms";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

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

describe("KMS key ARNs", () => {
  it("takes a key's ARN, in any partition, or nothing", () => {
    for (const ok of [KEY, "arn:aws:kms:eu-west-2:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab", "arn:aws-cn:kms:cn-north-1:123456789012:key/k", ""]) {
      expect(kmsKeyArnError(ok), ok).toBeUndefined();
    }
  });

  it("refuses what is not one", () => {
    for (const bad of [
      "1234abcd-12ab-34cd-56ef-1234567890ab",
      "arn:aws:kms:us-east-1:123456789012:alias/codes",
      "arn:aws:kms:us-east-1:1234:key/k",
      "arn:aws:lambda:us-east-1:123456789012:function:f",
      "arn:aws:kms:us-east-1:123456789012:key/",
    ]) {
      expect(kmsKeyArnError(bad), bad).toMatch(/KMS key ARN/);
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

  it("takes a sender's function from its object", () => {
    const config = { CustomSMSSender: { LambdaVersion: "V1_0" as const, LambdaArn: SMS }, KMSKeyID: KEY };
    expect(configuredFunction(config, "CustomSMSSender")).toEqual({ arn: SMS });
    expect(configuredFunction(config, "CustomEmailSender")).toBeUndefined();
    expect(configuredTriggers({ ...config, PreSignUp: ARN })).toEqual(["PreSignUp", "CustomSMSSender"]);
  });

  it("fills the form from the pool", () => {
    const v = triggersFromPool({ Id: "p", LambdaConfig: { PreSignUp: ARN, PreTokenGenerationConfig: { LambdaVersion: "V3_0", LambdaArn: TOKEN_ARN } } });
    expect(v.arns.PreSignUp).toBe(ARN);
    expect(v.arns.PreTokenGeneration).toBe(TOKEN_ARN);
    expect(v.arns.PostConfirmation).toBe("");
    expect(v.preTokenVersion).toBe("V3_0");
    expect(v.arns.CustomEmailSender).toBe("");
    expect(v.kmsKeyId).toBe("");
    expect(triggersFromPool({ Id: "p" }).preTokenVersion).toBe("V1_0");
    const senders = triggersFromPool({
      Id: "p",
      LambdaConfig: { CustomEmailSender: { LambdaVersion: "V1_0", LambdaArn: MAIL }, CustomSMSSender: { LambdaVersion: "V1_0", LambdaArn: SMS }, KMSKeyID: KEY },
    });
    expect(senders.arns.CustomEmailSender).toBe(MAIL);
    expect(senders.arns.CustomSMSSender).toBe(SMS);
    expect(senders.kmsKeyId).toBe(KEY);
  });
});

describe("writing LambdaConfig", () => {
  const empty = triggersFromPool({ Id: "p" });

  it("saves pre token generation V1_0 both ways, later versions only as PreTokenGenerationConfig", () => {
    const v1 = toLambdaConfig(undefined, parse({ ...empty, arns: { ...empty.arns, PreTokenGeneration: TOKEN_ARN } }));
    expect(v1).toEqual({ PreTokenGeneration: TOKEN_ARN, PreTokenGenerationConfig: { LambdaVersion: "V1_0", LambdaArn: TOKEN_ARN } });
    const v2 = toLambdaConfig({ PreTokenGeneration: "arn:old" }, parse({ ...empty, arns: { ...empty.arns, PreTokenGeneration: TOKEN_ARN }, preTokenVersion: "V2_0" }));
    expect(v2).toEqual({ PreTokenGenerationConfig: { LambdaVersion: "V2_0", LambdaArn: TOKEN_ARN } });
  });

  it("drops cleared triggers, trims ARNs, and keeps what the form does not show", () => {
    const current = {
      PostConfirmation: ARN,
      PreTokenGeneration: TOKEN_ARN,
      PreTokenGenerationConfig: { LambdaVersion: "V1_0" as const, LambdaArn: TOKEN_ARN },
      InboundFederation: { LambdaVersion: "V1_0" as const, LambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:federation" },
    };
    const v = parse({ ...empty, arns: { ...empty.arns, PreSignUp: `  ${ARN} ` } });
    expect(toLambdaConfig(current, v)).toEqual({ PreSignUp: ARN, InboundFederation: current.InboundFederation });
  });

  it("saves the senders as V1_0 objects with the KMS key, and drops them when cleared", () => {
    const v = parse({ ...empty, arns: { ...empty.arns, PreSignUp: ARN, CustomEmailSender: MAIL, CustomSMSSender: ` ${SMS}` }, kmsKeyId: ` ${KEY} ` });
    const config = toLambdaConfig({ PreSignUp: ARN }, v);
    expect(config).toEqual({
      PreSignUp: ARN,
      CustomEmailSender: { LambdaVersion: "V1_0", LambdaArn: MAIL },
      CustomSMSSender: { LambdaVersion: "V1_0", LambdaArn: SMS },
      KMSKeyID: KEY,
    });
    const saved = triggersFromPool({ Id: "p", LambdaConfig: config });
    const smsOnly = parse({ ...saved, arns: { ...saved.arns, CustomEmailSender: "" } });
    expect(toLambdaConfig(config, smsOnly)).toEqual({ PreSignUp: ARN, CustomSMSSender: { LambdaVersion: "V1_0", LambdaArn: SMS }, KMSKeyID: KEY });
    const none = parse({ ...empty, arns: { ...empty.arns, PreSignUp: ARN } });
    expect(toLambdaConfig(config, none)).toEqual({ PreSignUp: ARN });
  });

  it("wants a KMS key with a sender, and a KMS key's ARN", () => {
    const noKey = triggersSchema.safeParse({ ...empty, arns: { ...empty.arns, CustomSMSSender: SMS } });
    expect(noKey.success).toBe(false);
    expect(noKey.error!.issues).toEqual([expect.objectContaining({ path: ["kmsKeyId"], message: KMS_KEY_REQUIRED })]);
    const badKey = triggersSchema.safeParse({ ...empty, kmsKeyId: "alias/codes" });
    expect(badKey.error!.issues[0]).toMatchObject({ path: ["kmsKeyId"], message: expect.stringMatching(/KMS key ARN/) });
    // A key alone is fine: it is kept for a sender set later.
    expect(parse({ ...empty, kmsKeyId: KEY }).kmsKeyId).toBe(KEY);
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
