// PoolDesk's own operations (not in the AWS models). Their types are generated from the Rust
// API layer (crates/api/src/extensions.rs) by ts-rs; this file only names them per operation.

import type { DiscoverOpenIdProviderRequest } from "../generated/DiscoverOpenIdProviderRequest";
import type { DiscoverOpenIdProviderResponse } from "../generated/DiscoverOpenIdProviderResponse";
import type { ExportUsersRequest } from "../generated/ExportUsersRequest";
import type { ExportUsersResponse } from "../generated/ExportUsersResponse";
import type { GetLoginUrlRequest } from "../generated/GetLoginUrlRequest";
import type { GetLoginUrlResponse } from "../generated/GetLoginUrlResponse";
import type { ImportUsersRequest } from "../generated/ImportUsersRequest";
import type { ImportUsersResponse } from "../generated/ImportUsersResponse";
import type { ListAuditEventsRequest } from "../generated/ListAuditEventsRequest";
import type { ListAuditEventsResponse } from "../generated/ListAuditEventsResponse";
import type { ListMessagesRequest } from "../generated/ListMessagesRequest";
import type { ListMessagesResponse } from "../generated/ListMessagesResponse";
import type { ListTriggerInvocationsRequest } from "../generated/ListTriggerInvocationsRequest";
import type { ListTriggerInvocationsResponse } from "../generated/ListTriggerInvocationsResponse";
import type { SimulateRoleMappingRequest } from "../generated/SimulateRoleMappingRequest";
import type { SimulateRoleMappingResponse } from "../generated/SimulateRoleMappingResponse";
import type { TestTriggerRequest } from "../generated/TestTriggerRequest";
import type { TestTriggerResponse } from "../generated/TestTriggerResponse";

export type { AuditEvent } from "../generated/AuditEvent";
export type { AuditOutcome } from "../generated/AuditOutcome";
export type { ExportedUser } from "../generated/ExportedUser";
export type { ImportFailure } from "../generated/ImportFailure";
export type { RuleOutcome } from "../generated/RuleOutcome";
export type { RuleVerdict } from "../generated/RuleVerdict";
export type { DeliveryMedium } from "../generated/DeliveryMedium";
export type { Message } from "../generated/Message";
export type { SimulationError } from "../generated/SimulationError";
export type { SimulationMatch } from "../generated/SimulationMatch";
export type { SimulationNoRole } from "../generated/SimulationNoRole";
export type { SimulationReason } from "../generated/SimulationReason";
export type { TriggerInvocation } from "../generated/TriggerInvocation";
export type {
  DiscoverOpenIdProviderRequest,
  DiscoverOpenIdProviderResponse,
  ExportUsersRequest,
  ExportUsersResponse,
  GetLoginUrlRequest,
  GetLoginUrlResponse,
  ImportUsersRequest,
  ImportUsersResponse,
  ListAuditEventsRequest,
  ListAuditEventsResponse,
  ListMessagesRequest,
  ListMessagesResponse,
  ListTriggerInvocationsRequest,
  ListTriggerInvocationsResponse,
  SimulateRoleMappingRequest,
  SimulateRoleMappingResponse,
  TestTriggerRequest,
  TestTriggerResponse,
};

export interface PoolDeskOperations {
  ListMessages: { input: ListMessagesRequest; output: ListMessagesResponse };
  ListAuditEvents: { input: ListAuditEventsRequest; output: ListAuditEventsResponse };
  SimulateRoleMapping: { input: SimulateRoleMappingRequest; output: SimulateRoleMappingResponse };
  ImportUsers: { input: ImportUsersRequest; output: ImportUsersResponse };
  ExportUsers: { input: ExportUsersRequest; output: ExportUsersResponse };
  GetLoginUrl: { input: GetLoginUrlRequest; output: GetLoginUrlResponse };
  DiscoverOpenIdProvider: { input: DiscoverOpenIdProviderRequest; output: DiscoverOpenIdProviderResponse };
  ListTriggerInvocations: { input: ListTriggerInvocationsRequest; output: ListTriggerInvocationsResponse };
  TestTrigger: { input: TestTriggerRequest; output: TestTriggerResponse };
}
