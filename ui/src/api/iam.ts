// IAM's SAML-provider registry (`AWSIdentityManagementV20100508.<Op>`): the part of IAM that
// identity pools and STS need. Their types are generated from the Rust API layer
// (crates/api/src/iam.rs) by ts-rs; this file only names them per operation.

import type { CreateSAMLProviderRequest } from "../generated/CreateSAMLProviderRequest";
import type { CreateSAMLProviderResponse } from "../generated/CreateSAMLProviderResponse";
import type { GetSAMLProviderResponse } from "../generated/GetSAMLProviderResponse";
import type { IamTag } from "../generated/IamTag";
import type { ListSAMLProviderTagsResponse } from "../generated/ListSAMLProviderTagsResponse";
import type { ListSAMLProvidersResponse } from "../generated/ListSAMLProvidersResponse";
import type { SAMLProviderArnRequest } from "../generated/SAMLProviderArnRequest";
import type { SAMLProviderListEntry } from "../generated/SAMLProviderListEntry";
import type { TagSAMLProviderRequest } from "../generated/TagSAMLProviderRequest";
import type { UntagSAMLProviderRequest } from "../generated/UntagSAMLProviderRequest";
import type { UpdateSAMLProviderRequest } from "../generated/UpdateSAMLProviderRequest";

export type {
  CreateSAMLProviderRequest,
  CreateSAMLProviderResponse,
  GetSAMLProviderResponse,
  IamTag,
  ListSAMLProviderTagsResponse,
  ListSAMLProvidersResponse,
  SAMLProviderArnRequest,
  SAMLProviderListEntry,
  TagSAMLProviderRequest,
  UntagSAMLProviderRequest,
  UpdateSAMLProviderRequest,
};

/** The `X-Amz-Target` prefix of these operations: IAM's service name in its model. */
export const IAM_TARGET_PREFIX = "AWSIdentityManagementV20100508";

/** Operations that answer nothing but success. */
type Empty = Record<string, never>;

export interface IamOperations {
  CreateSAMLProvider: { input: CreateSAMLProviderRequest; output: CreateSAMLProviderResponse };
  GetSAMLProvider: { input: SAMLProviderArnRequest; output: GetSAMLProviderResponse };
  ListSAMLProviders: { input: Empty; output: ListSAMLProvidersResponse };
  UpdateSAMLProvider: { input: UpdateSAMLProviderRequest; output: SAMLProviderArnRequest };
  DeleteSAMLProvider: { input: SAMLProviderArnRequest; output: Empty };
  TagSAMLProvider: { input: TagSAMLProviderRequest; output: Empty };
  UntagSAMLProvider: { input: UntagSAMLProviderRequest; output: Empty };
  ListSAMLProviderTags: { input: SAMLProviderArnRequest; output: ListSAMLProviderTagsResponse };
}
