import { BrandingSection } from "./BrandingSection";
import { ClientsOAuthSection } from "./ClientsOAuthSection";
import { DomainSection } from "./DomainSection";
import { ManagedLoginSection } from "./ManagedLoginSection";
import { ResourceServersSection } from "./ResourceServersSection";
import "./integration.css";

/**
 * How apps sign in through OAuth 2.0 / OIDC: the pool's domain, its resource servers, its clients'
 * OAuth settings, and the login pages' look: managed login styles (version 2) and branding (version 1).
 */
export function IntegrationTab({ poolId }: { poolId: string }) {
  return (
    <div className="integration-tab" data-testid="integration-tab">
      <DomainSection poolId={poolId} />
      <ResourceServersSection poolId={poolId} />
      <ClientsOAuthSection poolId={poolId} />
      <ManagedLoginSection poolId={poolId} />
      <BrandingSection poolId={poolId} />
    </div>
  );
}
