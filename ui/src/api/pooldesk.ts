// Hand-written types for PoolDesk's own operations (not in the AWS models).

export type DeliveryMedium = "EMAIL" | "SMS";

export interface Message {
  MessageId: string;
  UserPoolId: string;
  Username: string;
  DeliveryMedium: DeliveryMedium;
  Destination: string;
  Subject: string;
  Body: string;
  Code?: string;
  /** Epoch seconds. */
  CreatedDate: number;
  Delivery: string;
}

export interface ListMessagesRequest {
  UserPoolId?: string;
  Username?: string;
  MaxResults?: number;
  NextToken?: string;
}

export interface ListMessagesResponse {
  /** Newest first. */
  Messages: Message[];
  NextToken: string | null;
}

export interface SimulateRoleMappingRequest {
  IdentityPoolId: string;
  IdToken?: string;
  /** `cognito-idp.<region>.amazonaws.com/<UserPoolId>` for a local user pool. */
  Provider?: string;
  Claims?: Record<string, unknown>;
  CustomRoleArn?: string;
}

export type SimulationReason =
  | "GuestRole"
  | "DefaultRole"
  | "RuleMatched"
  | "PreferredRole"
  | "OnlyRoleInToken"
  | "CustomRoleFromToken"
  | "AmbiguousFellBackToAuthenticatedRole";

export interface SimulationMatch {
  RoleArn: string;
  Reason: SimulationReason;
  Description: string;
  PrincipalTags: Record<string, string>;
  /** 0-based index into the provider's saved rules. */
  RuleIndex?: number;
}

export interface SimulationNoRole {
  RoleArn: null;
  Error: { Code: string; Message: string; Explanation: string };
  PrincipalTags: Record<string, string>;
}

export type SimulateRoleMappingResponse = SimulationMatch | SimulationNoRole;

export interface PoolDeskOperations {
  ListMessages: { input: ListMessagesRequest; output: ListMessagesResponse };
  SimulateRoleMapping: { input: SimulateRoleMappingRequest; output: SimulateRoleMappingResponse };
}
