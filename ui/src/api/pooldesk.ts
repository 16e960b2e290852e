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

/** One administrative call the server recorded. */
export interface AuditEvent {
  Id: number;
  /** Epoch milliseconds. */
  Time: number;
  /** The caller's access key id, or "desktop" / "cli" for local callers. */
  Actor: string;
  /** The client's IP address, or "local". */
  Source: string;
  /** The full X-Amz-Target, e.g. "AWSCognitoIdentityProviderService.AdminDeleteUser". */
  Operation: string;
  /** What it acted on, e.g. "UserPoolId=us-east-1_abc, Username=alice". */
  Resource: string;
  /** "OK", or the error's name (e.g. "UsernameExistsException"). */
  Outcome: string;
}

export interface ListAuditEventsRequest {
  Actor?: string;
  /** 1..1000; the server's default is 100. */
  MaxResults?: number;
  NextToken?: string;
}

export interface ListAuditEventsResponse {
  /** Newest first. */
  Events: AuditEvent[];
  /** For the next (older) page; null (or absent) when there are no more. */
  NextToken?: string | null;
}

export interface PoolDeskOperations {
  ListMessages: { input: ListMessagesRequest; output: ListMessagesResponse };
  ListAuditEvents: { input: ListAuditEventsRequest; output: ListAuditEventsResponse };
  SimulateRoleMapping: { input: SimulateRoleMappingRequest; output: SimulateRoleMappingResponse };
}
