import { BrandingSection } from "./BrandingSection";
import { ClientsOAuthSection } from "./ClientsOAuthSection";
import { DomainSection } from "./DomainSection";
import { ResourceServersSection } from "./ResourceServersSection";
import "./integration.css";

/**
 * How apps sign in through OAuth 2.0 / OIDC: the pool's domain, its resource servers, its clients'
 * OAuth settings, and the login pages' branding.
 */
export function IntegrationTab({ poolId }: { poolId: string }) {
  return (
    <div className="integration-tab" data-testid="integration-tab">
      <DomainSection poolId={poolId} />
      <ResourceServersSection poolId={poolId} />
      <ClientsOAuthSection poolId={poolId} />
      <BrandingSection poolId={poolId} />
    </div>
  );
}
