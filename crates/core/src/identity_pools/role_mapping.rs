//! Which IAM role an identity pool gives a caller, and why: the pool's default roles
//! (SetIdentityPoolRoles' `Roles`), role-based access control (`RoleMappings`: rules over the
//! token's claims, or the role chosen in the token), and the principal tags of "attributes for
//! access control" (SetPrincipalTagAttributeMap).
//!
//! Everything here is a pure function of the pool's configuration and the already verified
//! claims of the login's token, so GetCredentialsForIdentity and the desktop app's simulator
//! (`PoolDesk.SimulateRoleMapping`) share one decision and one explanation.
//!
//! # Semantics
//! Cognito documents the outline (SetIdentityPoolRoles, GetCredentialsForIdentity, RoleMapping
//! and MappingRule in the API reference; "Role-based access control" and "Using attributes for
//! access control" in the developer guide) but not every corner. The corners we had to decide:
//!
//! - **A claim's string form.** Rules compare strings. A string claim is itself, a number is its
//!   JSON text (`42`, `1.5`), a boolean is `true`/`false`. `null` and objects have no string
//!   form: no rule matches them, not even `NotEqual`, as if the claim were absent.
//! - **Multi-valued claims** (arrays such as `cognito:groups`, or a multi-valued SAML attribute)
//!   are a set of string forms, one per scalar element (nested arrays, objects and nulls are
//!   skipped). `Equals`, `Contains` and `StartsWith` match when *any* element matches, so
//!   `cognito:groups Contains admins` matches a user in the `admins` group; a match never spans
//!   two elements (`Equals "a,b"` does not match `["a", "b"]`). `Contains` is still a substring
//!   test per element, as it is for a string claim, so `Contains admin` also matches the group
//!   `sysadmins`: use `Equals` for exact group membership. Cognito's own text for arrays is a
//!   single string built from the array; testing per element agrees with it on every match
//!   within one element and refuses the accidental ones across element boundaries.
//! - **`NotEqual`** is the negation of `Equals` on a *present* claim: it matches when no element
//!   equals the value (an empty array therefore matches). A missing claim matches no rule at all,
//!   `NotEqual` included, because MappingRule's `Claim` is "the claim name that must be present
//!   in the token".
//! - **Case**: claim names and values compare case-sensitively, byte for byte.
//! - **`CustomRoleArn`** is honoured only with a `Token` mapping (the model: "the role to be
//!   assumed when multiple roles were received in the token"), and only if it is one of the
//!   token's roles (`cognito:roles`, or `cognito:preferred_role`). Anywhere else (a guest, no
//!   mapping, a `Rules` mapping) it is refused rather than silently ignored, so a client never
//!   believes it got a role it did not.
//! - **Token mapping without `cognito:preferred_role`**: exactly one role in `cognito:roles` is
//!   taken (the SAML behaviour: a single role in the assertion needs no choosing); none or several
//!   go to `AmbiguousRoleResolution`. User-pool tokens always carry the preferred role whenever
//!   they carry roles, so this corner only matters for other providers.
//! - **`AmbiguousRoleResolution` absent** (which [`validate_mapping`] refuses, but stored data may
//!   lack) is treated as `Deny`, the safer reading.
//! - **Empty role ARNs** in the pool's `Roles` count as "no role configured".
//!
//! Uncertain, and chosen for the reasons given at each error's [`RoleError::wire_code`]: which
//! exception name Cognito sends for a denial and for a refused `CustomRoleArn`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use pooldesk_wire::cognito_identity::{AmbiguousRoleResolutionType, MappingRule, MappingRuleMatchType, RoleMapping, RoleMappingType};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Error;

/// The `Roles` key of the role for signed-in identities.
pub const AUTHENTICATED: &str = "authenticated";
/// The `Roles` key of the role for guest identities.
pub const UNAUTHENTICATED: &str = "unauthenticated";
/// The claim listing the roles a user may assume (a user pool puts its groups' roles there).
pub const ROLES_CLAIM: &str = "cognito:roles";
/// The claim naming the role to assume (a user pool puts the role of the user's group with the
/// lowest precedence value there).
pub const PREFERRED_ROLE_CLAIM: &str = "cognito:preferred_role";
/// Rules per identity provider. The service model's `MappingRulesList` says 400, but the
/// documentation of both `RoleMappings` and `RulesConfigurationType` says 25, and so does the
/// console; we follow the documented limit.
pub const MAX_RULES: usize = 25;
/// A rule's `Claim` length bounds (model shape `ClaimName`).
pub const CLAIM_LEN: std::ops::RangeInclusive<usize> = 1..=64;
/// A rule's `Value` length bounds (model shape `ClaimValue`).
pub const VALUE_LEN: std::ops::RangeInclusive<usize> = 1..=128;

/// The user-pool defaults of "attributes for access control" (SetPrincipalTagAttributeMap's
/// `UseDefaults`: "default (username and clientID) attribute mappings"): tag key -> claim.
pub const DEFAULT_PRINCIPAL_TAGS: [(&str, &str); 2] = [("username", "sub"), ("client", "aud")];

/// What [`resolve`] decides from.
#[derive(Debug, Clone, Copy)]
pub struct RoleInput<'a> {
    /// Whether the caller presented a login (a verified token); `false` for a guest.
    pub authenticated: bool,
    /// The pool's `Roles`: [`AUTHENTICATED`] / [`UNAUTHENTICATED`] -> role ARN.
    pub roles: &'a BTreeMap<String, String>,
    /// The pool's `RoleMappings` entry for the provider of this login, if it has one.
    pub mapping: Option<&'a RoleMapping>,
    /// The verified claims of the login's token (empty for a guest).
    pub claims: &'a Map<String, Value>,
    /// GetCredentialsForIdentity's `CustomRoleArn`.
    pub custom_role_arn: Option<&'a str>,
}

/// The role to assume and why it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleDecision {
    pub role_arn: String,
    pub reason: Reason,
}

/// Why [`resolve`] chose a role. Serialized as `{"Kind": "RuleMatched", "Index": 0, ...}` for the
/// simulator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "Kind", rename_all_fields = "PascalCase")]
pub enum Reason {
    /// A guest: the pool's unauthenticated role.
    GuestRole,
    /// A signed-in user whose provider has no role mapping: the pool's authenticated role.
    DefaultRole,
    /// The first matching rule of a `Rules` mapping; `index` counts from 0.
    RuleMatched { index: usize, rule: MappingRule },
    /// A `Token` mapping: the token's `cognito:preferred_role`.
    PreferredRole,
    /// A `Token` mapping: the only role in `cognito:roles`, with no preferred role to choose.
    OnlyRoleInToken,
    /// A `Token` mapping: the caller's `CustomRoleArn`, which is one of the token's roles.
    CustomRoleFromToken,
    /// No rule matched, or the token did not settle on one role, and the mapping's
    /// `AmbiguousRoleResolution` is `AuthenticatedRole`.
    AmbiguousFellBackToAuthenticatedRole { why: String },
}

impl Reason {
    /// One sentence for people (the simulator shows it under the chosen role).
    pub fn describe(&self) -> String {
        match self {
            Reason::GuestRole => "A guest (unauthenticated) identity gets the pool's unauthenticated role.".to_owned(),
            Reason::DefaultRole => "This login's provider has no role mapping, so the pool's authenticated role applies.".to_owned(),
            Reason::RuleMatched { index, rule } => format!(
                "Rule {} matched ({} {} \"{}\"); rules are checked in order and the first match wins.",
                index + 1,
                rule.claim,
                rule.match_type.as_str(),
                rule.value
            ),
            Reason::PreferredRole => format!("The token's {PREFERRED_ROLE_CLAIM} claim names this role."),
            Reason::OnlyRoleInToken => {
                format!("The token has no {PREFERRED_ROLE_CLAIM} claim and exactly one role in {ROLES_CLAIM}.")
            }
            Reason::CustomRoleFromToken => {
                format!("The request's CustomRoleArn asked for this role, and the token lists it in {ROLES_CLAIM}.")
            }
            Reason::AmbiguousFellBackToAuthenticatedRole { why } => {
                format!("Ambiguous ({why}); AmbiguousRoleResolution is AuthenticatedRole, so the pool's authenticated role applies.")
            }
        }
    }
}

/// Why no role could be chosen. Its [`Error`] (`Error::from`) is the exception clients see,
/// [`RoleError::message`] its message, [`RoleError::explain`] the longer story for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "Kind", rename_all_fields = "PascalCase")]
pub enum RoleError {
    /// The pool has no role under this `Roles` key ([`AUTHENTICATED`] or [`UNAUTHENTICATED`]).
    NoRoleConfigured { role_type: &'static str },
    /// A `Rules` mapping: no rule matched and `AmbiguousRoleResolution` is `Deny` (or absent).
    NoRuleMatched { rules_checked: usize },
    /// A `Token` mapping: the token did not settle on one role and `AmbiguousRoleResolution` is
    /// `Deny` (or absent).
    Denied { why: String },
    /// A `Token` mapping: `CustomRoleArn` is not among the token's roles.
    CustomRoleNotInToken { custom_role_arn: String },
    /// `CustomRoleArn` was given where the pool does not let the caller choose a role.
    CustomRoleNotAllowed { why: String },
}

impl RoleError {
    /// The client-facing message, phrased like Cognito's.
    pub fn message(&self) -> String {
        match self {
            RoleError::NoRoleConfigured { .. } => "Invalid identity pool configuration. Check assigned IAM roles for this pool.".to_owned(),
            RoleError::NoRuleMatched { .. } => "Unable to assume a role: no role mapping rule matched the token.".to_owned(),
            RoleError::Denied { .. } => "Unable to assume a role: the token does not identify a single role.".to_owned(),
            RoleError::CustomRoleNotInToken { .. } => "Invalid CustomRoleArn: the role is not one of the roles in the token.".to_owned(),
            RoleError::CustomRoleNotAllowed { .. } => "CustomRoleArn is not supported for this identity pool configuration.".to_owned(),
        }
    }

    /// The longer explanation for people (the simulator shows it).
    pub fn explain(&self) -> String {
        match self {
            RoleError::NoRoleConfigured { role_type } => {
                format!("The identity pool has no {role_type} role (SetIdentityPoolRoles' Roles has no \"{role_type}\" entry).")
            }
            RoleError::NoRuleMatched { rules_checked } => {
                format!("None of the {rules_checked} rule(s) matched the token's claims, and AmbiguousRoleResolution is Deny.")
            }
            RoleError::Denied { why } => format!("Ambiguous ({why}), and AmbiguousRoleResolution is Deny."),
            RoleError::CustomRoleNotInToken { custom_role_arn } => {
                format!("CustomRoleArn {custom_role_arn} is neither in the token's {ROLES_CLAIM} nor its {PREFERRED_ROLE_CLAIM}.")
            }
            RoleError::CustomRoleNotAllowed { why } => format!("CustomRoleArn was given but {why}."),
        }
    }
}

impl fmt::Display for RoleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for RoleError {}

/// The exception GetCredentialsForIdentity answers, from the operation's error list.
impl From<RoleError> for Error {
    fn from(e: RoleError) -> Error {
        let message = e.message();
        match e {
            // The model says so word for word: "the identity pool has no authenticated role
            // configured" / "no unauthenticated role configured".
            RoleError::NoRoleConfigured { .. } => Error::InvalidIdentityPoolConfiguration(message),
            // The pool is configured correctly and the user is simply not allowed a role; of the
            // operation's errors only NotAuthorizedException ("not authorized to access the
            // requested resource") says that. Not confirmed against the live service.
            RoleError::NoRuleMatched { .. } | RoleError::Denied { .. } => Error::NotAuthorized(message),
            // The user asks for a role their token does not grant: an authorization failure, not a
            // malformed parameter. Not confirmed against the live service.
            RoleError::CustomRoleNotInToken { .. } => Error::NotAuthorized(message),
            // The parameter itself does not apply to this pool's configuration: "bad input
            // parameter(s)". Not confirmed against the live service.
            RoleError::CustomRoleNotAllowed { .. } => Error::InvalidParameter(message),
        }
    }
}

/// Chooses the role for a GetCredentialsForIdentity call (see the module docs for the rules).
pub fn resolve(input: &RoleInput<'_>) -> Result<RoleDecision, RoleError> {
    if !input.authenticated {
        // A guest has no login, so no provider and no mapping applies to it.
        refuse_custom_role(input, "guest (unauthenticated) identities always get the pool's unauthenticated role")?;
        return pool_role(input.roles, UNAUTHENTICATED).map(|role_arn| RoleDecision { role_arn, reason: Reason::GuestRole });
    }
    let Some(mapping) = input.mapping else {
        refuse_custom_role(input, "the login's provider has no role mapping, so the pool's authenticated role always applies")?;
        return pool_role(input.roles, AUTHENTICATED).map(|role_arn| RoleDecision { role_arn, reason: Reason::DefaultRole });
    };
    match mapping.r#type {
        RoleMappingType::Rules => {
            refuse_custom_role(input, "the provider's role mapping is rule-based; only a Token mapping lets the caller choose a role")?;
            by_rules(input, mapping)
        }
        RoleMappingType::Token => by_token(input, mapping),
    }
}

/// The role for a SAML login whose provider has no rule-based mapping: one of the roles its
/// assertion's Role attribute pairs with the provider (`asserted`), as a Token mapping reads
/// `cognito:roles`: the only one, or the `CustomRoleArn` the caller chose among several. An
/// assertion that names no role gets the pool's authenticated role.
pub fn resolve_asserted(
    roles: &BTreeMap<String, String>,
    asserted: &[String],
    custom_role_arn: Option<&str>,
) -> Result<RoleDecision, RoleError> {
    match (asserted, custom_role_arn) {
        ([], None) => pool_role(roles, AUTHENTICATED).map(|role_arn| RoleDecision { role_arn, reason: Reason::DefaultRole }),
        ([], Some(_)) => {
            Err(RoleError::CustomRoleNotAllowed { why: "the SAML assertion pairs no role with this provider to choose from".into() })
        }
        (_, Some(custom)) if asserted.iter().any(|r| r == custom) => {
            Ok(RoleDecision { role_arn: custom.to_owned(), reason: Reason::CustomRoleFromToken })
        }
        (_, Some(custom)) => Err(RoleError::CustomRoleNotInToken { custom_role_arn: custom.to_owned() }),
        ([only], None) => Ok(RoleDecision { role_arn: only.clone(), reason: Reason::OnlyRoleInToken }),
        (several, None) => Err(RoleError::Denied {
            why: format!(
                "the SAML assertion pairs {} roles with this provider; the caller must choose one with CustomRoleArn",
                several.len()
            ),
        }),
    }
}

fn refuse_custom_role(input: &RoleInput<'_>, why: &str) -> Result<(), RoleError> {
    match input.custom_role_arn {
        Some(_) => Err(RoleError::CustomRoleNotAllowed { why: why.to_owned() }),
        None => Ok(()),
    }
}

fn pool_role(roles: &BTreeMap<String, String>, role_type: &'static str) -> Result<String, RoleError> {
    roles.get(role_type).filter(|arn| !arn.is_empty()).cloned().ok_or(RoleError::NoRoleConfigured { role_type })
}

fn by_rules(input: &RoleInput<'_>, mapping: &RoleMapping) -> Result<RoleDecision, RoleError> {
    // A Rules mapping without a configuration is refused by validate_mapping; should one be
    // stored anyway, it has no rule to match and goes to the ambiguous resolution.
    let rules = mapping.rules_configuration.as_ref().map_or(&[][..], |c| &c.rules[..]);
    if let Some((index, rule)) = rules.iter().enumerate().find(|(_, rule)| rule_matches(rule, input.claims)) {
        return Ok(RoleDecision { role_arn: rule.role_arn.clone(), reason: Reason::RuleMatched { index, rule: rule.clone() } });
    }
    let rules_checked = rules.len();
    ambiguous(input, mapping, format!("none of the {rules_checked} rule(s) matched"), |_| RoleError::NoRuleMatched { rules_checked })
}

fn by_token(input: &RoleInput<'_>, mapping: &RoleMapping) -> Result<RoleDecision, RoleError> {
    let roles = token_roles(input.claims);
    // A non-string or empty preferred role cannot name a role: treated as absent.
    let preferred = input.claims.get(PREFERRED_ROLE_CLAIM).and_then(Value::as_str).filter(|s| !s.is_empty());
    if let Some(custom) = input.custom_role_arn {
        // The preferred role counts as one of the token's roles even if a provider left it out
        // of cognito:roles (user pools always list it in both).
        if roles.contains(&custom) || preferred == Some(custom) {
            return Ok(RoleDecision { role_arn: custom.to_owned(), reason: Reason::CustomRoleFromToken });
        }
        return Err(RoleError::CustomRoleNotInToken { custom_role_arn: custom.to_owned() });
    }
    if let Some(preferred) = preferred {
        return Ok(RoleDecision { role_arn: preferred.to_owned(), reason: Reason::PreferredRole });
    }
    match roles[..] {
        [only] => Ok(RoleDecision { role_arn: only.to_owned(), reason: Reason::OnlyRoleInToken }),
        [] => ambiguous(input, mapping, format!("the token has neither {PREFERRED_ROLE_CLAIM} nor {ROLES_CLAIM}"), |why| {
            RoleError::Denied { why }
        }),
        ref several => ambiguous(
            input,
            mapping,
            format!("the token lists {} roles in {ROLES_CLAIM} and has no {PREFERRED_ROLE_CLAIM}", several.len()),
            |why| RoleError::Denied { why },
        ),
    }
}

/// The token's roles: `cognito:roles` as an array of strings (or, leniently, one string), in
/// order, without duplicates or empty strings; anything else in it is ignored.
fn token_roles(claims: &Map<String, Value>) -> Vec<&str> {
    let mut roles: Vec<&str> = Vec::new();
    let candidates: Vec<&str> = match claims.get(ROLES_CLAIM) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(one)) => vec![one.as_str()],
        _ => Vec::new(),
    };
    for role in candidates {
        if !role.is_empty() && !roles.contains(&role) {
            roles.push(role);
        }
    }
    roles
}

fn ambiguous(
    input: &RoleInput<'_>,
    mapping: &RoleMapping,
    why: String,
    deny: impl FnOnce(String) -> RoleError,
) -> Result<RoleDecision, RoleError> {
    match mapping.ambiguous_role_resolution {
        Some(AmbiguousRoleResolutionType::AuthenticatedRole) => pool_role(input.roles, AUTHENTICATED)
            .map(|role_arn| RoleDecision { role_arn, reason: Reason::AmbiguousFellBackToAuthenticatedRole { why } }),
        // Absent is refused by validate_mapping; for stored data without it, Deny is the safe reading.
        Some(AmbiguousRoleResolutionType::Deny) | None => Err(deny(why)),
    }
}

/// A scalar claim's string form; `None` for null, arrays and objects.
fn scalar_string(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// A claim's string forms: one for a scalar, one per scalar element of an array (possibly none).
/// `None` when the claim is absent or is `null` or an object, i.e. has no string form at all.
pub fn claim_strings<'c>(claims: &'c Map<String, Value>, claim: &str) -> Option<Vec<Cow<'c, str>>> {
    match claims.get(claim)? {
        Value::Array(items) => Some(items.iter().filter_map(scalar_string).collect()),
        other => scalar_string(other).map(|s| vec![s]),
    }
}

/// Whether one rule matches the claims (see the module docs for arrays, `NotEqual` and missing
/// claims).
pub fn rule_matches(rule: &MappingRule, claims: &Map<String, Value>) -> bool {
    let Some(values) = claim_strings(claims, &rule.claim) else {
        return false;
    };
    let want = rule.value.as_str();
    match rule.match_type {
        MappingRuleMatchType::Equals => values.iter().any(|v| v == want),
        MappingRuleMatchType::Contains => values.iter().any(|v| v.contains(want)),
        MappingRuleMatchType::StartsWith => values.iter().any(|v| v.starts_with(want)),
        MappingRuleMatchType::NotEqual => !values.iter().any(|v| v == want),
    }
}

/// How one rule of a `Rules` mapping fared for a login, for the simulator.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleOutcome {
    /// 0-based position in the mapping.
    pub index: usize,
    pub rule: MappingRule,
    pub verdict: RuleVerdict,
    /// The claim's value as the rule compared it (a string as is, anything else as JSON);
    /// `None` when the login has no such claim.
    pub claim_value: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleVerdict {
    Matched,
    NotMatched,
    /// An earlier rule matched: rules are checked in order and the first match wins.
    NotReached,
}

/// Every rule of a `Rules` mapping with its verdict for these claims, in order: the same walk
/// [`resolve`] takes, so the first `Matched` is the rule that decided.
pub fn rule_outcomes(mapping: &RoleMapping, claims: &Map<String, Value>) -> Vec<RuleOutcome> {
    let rules = mapping.rules_configuration.as_ref().map_or(&[][..], |c| &c.rules[..]);
    let mut decided = false;
    rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let verdict = if decided {
                RuleVerdict::NotReached
            } else if rule_matches(rule, claims) {
                decided = true;
                RuleVerdict::Matched
            } else {
                RuleVerdict::NotMatched
            };
            let claim_value = claims.get(&rule.claim).filter(|v| !v.is_null()).map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            RuleOutcome { index, rule: rule.clone(), verdict, claim_value }
        })
        .collect()
}

/// SetIdentityPoolRoles' checks of one `RoleMappings` entry. The message names the first problem.
pub fn validate_mapping(m: &RoleMapping) -> Result<(), String> {
    if m.ambiguous_role_resolution.is_none() {
        return Err(format!("AmbiguousRoleResolution must be specified for a role mapping of type {}.", m.r#type.as_str()));
    }
    match (&m.rules_configuration, m.r#type) {
        (None, RoleMappingType::Rules) => Err("RulesConfiguration must be specified for a role mapping of type Rules.".to_owned()),
        (None, RoleMappingType::Token) => Ok(()),
        // The model's constraints apply to the list whenever it is present; a Token mapping
        // ignores its rules, but they must still be well-formed.
        (Some(config), _) => {
            let n = config.rules.len();
            if n == 0 || n > MAX_RULES {
                return Err(format!("RulesConfiguration.Rules must have between 1 and {MAX_RULES} rules; it has {n}."));
            }
            for (i, rule) in config.rules.iter().enumerate() {
                validate_rule(rule).map_err(|why| format!("Rule {}: {why}", i + 1))?;
            }
            Ok(())
        }
    }
}

fn validate_rule(rule: &MappingRule) -> Result<(), String> {
    let claim_len = rule.claim.chars().count();
    if !CLAIM_LEN.contains(&claim_len) {
        return Err(format!("Claim must be 1 to 64 characters long; it is {claim_len}."));
    }
    // The model's pattern is [\p{L}\p{M}\p{S}\p{N}\p{P}]+: letters, marks, symbols, numbers and
    // punctuation, i.e. no separators (spaces) and no control characters. We approximate it
    // with Rust's whitespace and control classes (format characters such as U+200D slip through).
    if rule.claim.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("Claim {:?} must not contain whitespace or control characters.", rule.claim));
    }
    let value_len = rule.value.chars().count();
    if !VALUE_LEN.contains(&value_len) {
        return Err(format!("Value must be 1 to 128 characters long; it is {value_len}."));
    }
    if !is_role_arn(&rule.role_arn) {
        return Err(format!("RoleARN {:?} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>).", rule.role_arn));
    }
    Ok(())
}

/// An IAM role ARN in any partition, at most 2048 characters: the rule the desktop app's forms
/// apply too ([`pooldesk_wire::rules::ROLE_ARN`]).
pub fn is_role_arn(arn: &str) -> bool {
    pooldesk_wire::rules::ROLE_ARN.accepts(arn)
}

/// The principal (session) tags for a login: tag key -> the claim's value.
///
/// `attribute_map` is SetPrincipalTagAttributeMap's `PrincipalTags` (tag key -> claim name);
/// `use_defaults` adds [`DEFAULT_PRINCIPAL_TAGS`] (`username` <- `sub`, `client` <- `aud`, the
/// user-pool defaults; other providers' defaults are the caller's to pass as a map). When both
/// are given, the custom map wins for a tag key it names. Cognito's console offers defaults *or*
/// custom mappings; merging them is our reading of the API, which accepts both at once.
///
/// A claim's value is its string form (see the module docs); an array's elements are joined with
/// one space, because STS refuses commas in tag values while allowing spaces, and user-pool group
/// names cannot contain spaces, so the join is unambiguous for `cognito:groups`. Missing claims,
/// `null`, objects and arrays without scalar elements give no tag. Values are not checked against
/// STS's tag limits (256 characters, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`).
pub fn principal_tags(
    claims: &Map<String, Value>,
    attribute_map: Option<&BTreeMap<String, String>>,
    use_defaults: bool,
) -> BTreeMap<String, String> {
    let mut sources: BTreeMap<&str, &str> = BTreeMap::new();
    if use_defaults {
        sources.extend(DEFAULT_PRINCIPAL_TAGS);
    }
    if let Some(map) = attribute_map {
        sources.extend(map.iter().map(|(tag, claim)| (tag.as_str(), claim.as_str())));
    }
    sources
        .into_iter()
        .filter_map(|(tag, claim)| {
            let values = claim_strings(claims, claim)?;
            (!values.is_empty()).then(|| (tag.to_owned(), values.join(" ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pooldesk_wire::cognito_identity::RulesConfigurationType;
    use proptest::prelude::*;
    use serde_json::json;

    use AmbiguousRoleResolutionType::{AuthenticatedRole as FallBack, Deny};
    use MappingRuleMatchType::{Contains, Equals, NotEqual, StartsWith};

    const AUTH: &str = "arn:aws:iam::123456789012:role/Auth";
    const GUEST: &str = "arn:aws:iam::123456789012:role/Guest";
    const ADMIN: &str = "arn:aws:iam::123456789012:role/Admin";
    const DEV: &str = "arn:aws:iam::123456789012:role/Dev";
    const READER: &str = "arn:aws:iam::123456789012:role/Reader";

    fn rule(claim: &str, match_type: MappingRuleMatchType, value: &str, role: &str) -> MappingRule {
        MappingRule { claim: claim.to_owned(), match_type, value: value.to_owned(), role_arn: role.to_owned() }
    }

    fn rules(rules: Vec<MappingRule>, amb: Option<AmbiguousRoleResolutionType>) -> RoleMapping {
        RoleMapping {
            r#type: RoleMappingType::Rules,
            ambiguous_role_resolution: amb,
            rules_configuration: Some(RulesConfigurationType { rules }),
        }
    }

    fn token(amb: Option<AmbiguousRoleResolutionType>) -> RoleMapping {
        RoleMapping { r#type: RoleMappingType::Token, ambiguous_role_resolution: amb, rules_configuration: None }
    }

    fn pool(auth: Option<&str>, guest: Option<&str>) -> BTreeMap<String, String> {
        let mut roles = BTreeMap::new();
        if let Some(a) = auth {
            roles.insert(AUTHENTICATED.to_owned(), a.to_owned());
        }
        if let Some(g) = guest {
            roles.insert(UNAUTHENTICATED.to_owned(), g.to_owned());
        }
        roles
    }

    fn claims(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("claims must be an object, got {other}"),
        }
    }

    fn ok(arn: &str, reason: Reason) -> Result<RoleDecision, RoleError> {
        Ok(RoleDecision { role_arn: arn.to_owned(), reason })
    }

    fn matched(index: usize, r: &MappingRule) -> Result<RoleDecision, RoleError> {
        ok(&r.role_arn, Reason::RuleMatched { index, rule: r.clone() })
    }

    fn fell_back(why: &str) -> Result<RoleDecision, RoleError> {
        ok(AUTH, Reason::AmbiguousFellBackToAuthenticatedRole { why: why.to_owned() })
    }

    fn not_allowed(why: &str) -> Result<RoleDecision, RoleError> {
        Err(RoleError::CustomRoleNotAllowed { why: why.to_owned() })
    }

    struct Case {
        name: &'static str,
        authenticated: bool,
        roles: BTreeMap<String, String>,
        mapping: Option<RoleMapping>,
        claims: Value,
        custom: Option<&'static str>,
        want: Result<RoleDecision, RoleError>,
    }

    fn case(name: &'static str, mapping: Option<RoleMapping>, claims: Value, want: Result<RoleDecision, RoleError>) -> Case {
        Case { name, authenticated: true, roles: pool(Some(AUTH), Some(GUEST)), mapping, claims, custom: None, want }
    }

    #[test]
    fn resolves_every_branch() {
        let admins = rule("cognito:groups", Contains, "admins", ADMIN);
        let dept_dev = rule("custom:dept", Equals, "dev", DEV);
        let no_match = rule("custom:dept", Equals, "sales", READER);
        const NONE_OF_1: &str = "none of the 1 rule(s) matched";
        let guest_why = "guest (unauthenticated) identities always get the pool's unauthenticated role";
        let default_why = "the login's provider has no role mapping, so the pool's authenticated role always applies";
        let rules_why = "the provider's role mapping is rule-based; only a Token mapping lets the caller choose a role";
        let no_token_roles = "the token has neither cognito:preferred_role nor cognito:roles";
        let two_roles = "the token lists 2 roles in cognito:roles and has no cognito:preferred_role";
        let one_rule = |r: &MappingRule, amb| Some(rules(vec![r.clone()], Some(amb)));

        let cases = vec![
            // Guests.
            Case { authenticated: false, ..case("guest", None, json!({}), ok(GUEST, Reason::GuestRole)) },
            Case {
                authenticated: false,
                roles: pool(Some(AUTH), None),
                ..case(
                    "guest without an unauthenticated role",
                    None,
                    json!({}),
                    Err(RoleError::NoRoleConfigured { role_type: UNAUTHENTICATED }),
                )
            },
            Case {
                authenticated: false,
                roles: pool(Some(AUTH), Some("")),
                ..case("an empty ARN is no role", None, json!({}), Err(RoleError::NoRoleConfigured { role_type: UNAUTHENTICATED }))
            },
            Case {
                authenticated: false,
                custom: Some(ADMIN),
                ..case("guest asking for a custom role", None, json!({}), not_allowed(guest_why))
            },
            Case {
                authenticated: false,
                ..case(
                    "a guest ignores the mapping",
                    one_rule(&dept_dev, Deny),
                    json!({"custom:dept": "dev"}),
                    ok(GUEST, Reason::GuestRole),
                )
            },
            // Signed in, no mapping.
            case("no mapping: the authenticated role", None, json!({"sub": "u"}), ok(AUTH, Reason::DefaultRole)),
            Case {
                roles: pool(None, Some(GUEST)),
                ..case(
                    "no mapping and no authenticated role",
                    None,
                    json!({}),
                    Err(RoleError::NoRoleConfigured { role_type: AUTHENTICATED }),
                )
            },
            Case { custom: Some(ADMIN), ..case("no mapping refuses a custom role", None, json!({}), not_allowed(default_why)) },
            // Rules: matching.
            case("Equals on a string", one_rule(&dept_dev, Deny), json!({"custom:dept": "dev"}), matched(0, &dept_dev)),
            case(
                "first match wins",
                Some(rules(vec![no_match.clone(), dept_dev.clone(), rule("custom:dept", StartsWith, "d", READER)], Some(Deny))),
                json!({"custom:dept": "dev"}),
                matched(1, &dept_dev),
            ),
            case(
                "Contains on cognito:groups",
                one_rule(&admins, Deny),
                json!({"cognito:groups": ["users", "admins"]}),
                matched(0, &admins),
            ),
            case(
                "Contains is a substring test per element",
                one_rule(&admins, Deny),
                json!({"cognito:groups": ["superadmins"]}),
                matched(0, &admins),
            ),
            {
                let r = rule("email", Contains, "@example.com", DEV);
                case("Contains on a string", one_rule(&r, Deny), json!({"email": "a@example.com"}), matched(0, &r))
            },
            {
                let r = rule("email", StartsWith, "admin@", ADMIN);
                case("StartsWith on a string", one_rule(&r, Deny), json!({"email": "admin@example.com"}), matched(0, &r))
            },
            {
                let r = rule("cognito:groups", StartsWith, "team-", DEV);
                case("StartsWith on an array element", one_rule(&r, Deny), json!({"cognito:groups": ["x", "team-a"]}), matched(0, &r))
            },
            {
                let r = rule("custom:level", Equals, "42", ADMIN);
                case("Equals on a number's text", one_rule(&r, Deny), json!({"custom:level": 42}), matched(0, &r))
            },
            {
                let r = rule("custom:id", Contains, "234", ADMIN);
                case("Contains on a number's text", one_rule(&r, Deny), json!({"custom:id": 12345}), matched(0, &r))
            },
            {
                let r = rule("email_verified", Equals, "true", ADMIN);
                case("Equals on a boolean", one_rule(&r, Deny), json!({"email_verified": true}), matched(0, &r))
            },
            {
                let r = rule("cognito:groups", Equals, "admins", ADMIN);
                case("Equals on an array: any element", one_rule(&r, Deny), json!({"cognito:groups": ["users", "admins"]}), matched(0, &r))
            },
            {
                let r = rule("cognito:groups", Equals, "users,admins", ADMIN);
                case(
                    "no match across elements",
                    one_rule(&r, Deny),
                    json!({"cognito:groups": ["users", "admins"]}),
                    Err(RoleError::NoRuleMatched { rules_checked: 1 }),
                )
            },
            {
                let r = rule("custom:dept", NotEqual, "sales", DEV);
                case("NotEqual on another value", one_rule(&r, Deny), json!({"custom:dept": "dev"}), matched(0, &r))
            },
            {
                let r = rule("custom:dept", NotEqual, "dev", READER);
                case("NotEqual on the same value", one_rule(&r, FallBack), json!({"custom:dept": "dev"}), fell_back(NONE_OF_1))
            },
            {
                let r = rule("custom:dept", NotEqual, "sales", READER);
                case("NotEqual needs the claim", one_rule(&r, Deny), json!({}), Err(RoleError::NoRuleMatched { rules_checked: 1 }))
            },
            {
                let r = rule("cognito:groups", NotEqual, "admins", READER);
                case(
                    "NotEqual on an array holding the value",
                    one_rule(&r, Deny),
                    json!({"cognito:groups": ["admins", "x"]}),
                    Err(RoleError::NoRuleMatched { rules_checked: 1 }),
                )
            },
            {
                let r = rule("cognito:groups", NotEqual, "admins", READER);
                case("NotEqual on an array without the value", one_rule(&r, Deny), json!({"cognito:groups": ["users"]}), matched(0, &r))
            },
            {
                let r = rule("cognito:groups", NotEqual, "admins", READER);
                case("NotEqual on an empty array", one_rule(&r, Deny), json!({"cognito:groups": []}), matched(0, &r))
            },
            {
                let r = rule("custom:dept", Equals, "Dev", DEV);
                case(
                    "case-sensitive",
                    one_rule(&r, Deny),
                    json!({"custom:dept": "dev"}),
                    Err(RoleError::NoRuleMatched { rules_checked: 1 }),
                )
            },
            {
                let r = rule("address", NotEqual, "x", DEV);
                case(
                    "an object claim matches nothing",
                    one_rule(&r, Deny),
                    json!({"address": {"formatted": "y"}}),
                    Err(RoleError::NoRuleMatched { rules_checked: 1 }),
                )
            },
            {
                let r = rule("custom:dept", NotEqual, "x", DEV);
                case(
                    "a null claim matches nothing",
                    one_rule(&r, Deny),
                    json!({"custom:dept": null}),
                    Err(RoleError::NoRuleMatched { rules_checked: 1 }),
                )
            },
            // Rules: no match.
            case("no match falls back", one_rule(&no_match, FallBack), json!({"custom:dept": "dev"}), fell_back(NONE_OF_1)),
            case(
                "no match with Deny",
                one_rule(&no_match, Deny),
                json!({"custom:dept": "dev"}),
                Err(RoleError::NoRuleMatched { rules_checked: 1 }),
            ),
            case(
                "no match without AmbiguousRoleResolution denies",
                Some(rules(vec![no_match.clone(), no_match.clone()], None)),
                json!({}),
                Err(RoleError::NoRuleMatched { rules_checked: 2 }),
            ),
            Case {
                roles: pool(None, Some(GUEST)),
                ..case(
                    "fallback without an authenticated role",
                    one_rule(&no_match, FallBack),
                    json!({}),
                    Err(RoleError::NoRoleConfigured { role_type: AUTHENTICATED }),
                )
            },
            case(
                "Rules without a configuration",
                Some(RoleMapping { r#type: RoleMappingType::Rules, ambiguous_role_resolution: Some(FallBack), rules_configuration: None }),
                json!({}),
                fell_back("none of the 0 rule(s) matched"),
            ),
            Case {
                custom: Some(DEV),
                ..case("Rules refuse a custom role", one_rule(&dept_dev, FallBack), json!({"custom:dept": "dev"}), not_allowed(rules_why))
            },
            // Token.
            case(
                "preferred role",
                Some(token(Some(Deny))),
                json!({"cognito:preferred_role": ADMIN, "cognito:roles": [ADMIN, DEV]}),
                ok(ADMIN, Reason::PreferredRole),
            ),
            Case {
                custom: Some(DEV),
                ..case(
                    "custom role among the token's roles",
                    Some(token(Some(Deny))),
                    json!({"cognito:preferred_role": ADMIN, "cognito:roles": [ADMIN, DEV]}),
                    ok(DEV, Reason::CustomRoleFromToken),
                )
            },
            Case {
                custom: Some(DEV),
                ..case(
                    "custom role settles several roles",
                    Some(token(Some(Deny))),
                    json!({"cognito:roles": [ADMIN, DEV]}),
                    ok(DEV, Reason::CustomRoleFromToken),
                )
            },
            Case {
                custom: Some(ADMIN),
                ..case(
                    "custom role equal to the preferred role",
                    Some(token(Some(Deny))),
                    json!({"cognito:preferred_role": ADMIN}),
                    ok(ADMIN, Reason::CustomRoleFromToken),
                )
            },
            Case {
                custom: Some(READER),
                ..case(
                    "custom role not in the token",
                    Some(token(Some(FallBack))),
                    json!({"cognito:preferred_role": ADMIN, "cognito:roles": [ADMIN, DEV]}),
                    Err(RoleError::CustomRoleNotInToken { custom_role_arn: READER.to_owned() }),
                )
            },
            case("no roles in the token falls back", Some(token(Some(FallBack))), json!({"sub": "u"}), fell_back(no_token_roles)),
            case(
                "no roles in the token with Deny",
                Some(token(Some(Deny))),
                json!({}),
                Err(RoleError::Denied { why: no_token_roles.to_owned() }),
            ),
            case("several roles fall back", Some(token(Some(FallBack))), json!({"cognito:roles": [ADMIN, DEV]}), fell_back(two_roles)),
            case(
                "several roles with Deny",
                Some(token(Some(Deny))),
                json!({"cognito:roles": [ADMIN, DEV]}),
                Err(RoleError::Denied { why: two_roles.to_owned() }),
            ),
            case(
                "several roles, absent resolution",
                Some(token(None)),
                json!({"cognito:roles": [ADMIN, DEV]}),
                Err(RoleError::Denied { why: two_roles.to_owned() }),
            ),
            case("a single role in the token", Some(token(Some(Deny))), json!({"cognito:roles": [DEV]}), ok(DEV, Reason::OnlyRoleInToken)),
            case("cognito:roles as one string", Some(token(Some(Deny))), json!({"cognito:roles": DEV}), ok(DEV, Reason::OnlyRoleInToken)),
            case(
                "duplicate roles count once",
                Some(token(Some(Deny))),
                json!({"cognito:roles": [DEV, DEV, ""]}),
                ok(DEV, Reason::OnlyRoleInToken),
            ),
            case(
                "a non-string preferred role is absent",
                Some(token(Some(FallBack))),
                json!({"cognito:preferred_role": 7, "cognito:roles": [ADMIN, DEV]}),
                fell_back(two_roles),
            ),
            Case {
                roles: pool(None, None),
                ..case(
                    "Token needs no pool role when the token decides",
                    Some(token(Some(Deny))),
                    json!({"cognito:preferred_role": ADMIN}),
                    ok(ADMIN, Reason::PreferredRole),
                )
            },
        ];
        assert!(cases.len() >= 25);
        for c in cases {
            let input = RoleInput {
                authenticated: c.authenticated,
                roles: &c.roles,
                mapping: c.mapping.as_ref(),
                claims: &claims(c.claims),
                custom_role_arn: c.custom,
            };
            assert_eq!(resolve(&input), c.want, "{}", c.name);
        }
    }

    #[test]
    fn errors_carry_cognito_names_and_messages() {
        let cases = [
            (RoleError::NoRoleConfigured { role_type: AUTHENTICATED }, "InvalidIdentityPoolConfigurationException"),
            (RoleError::NoRuleMatched { rules_checked: 3 }, "NotAuthorizedException"),
            (RoleError::Denied { why: "x".into() }, "NotAuthorizedException"),
            (RoleError::CustomRoleNotInToken { custom_role_arn: ADMIN.into() }, "NotAuthorizedException"),
            (RoleError::CustomRoleNotAllowed { why: "x".into() }, "InvalidParameterException"),
        ];
        for (err, code) in cases {
            assert_eq!(err.to_string(), err.message());
            assert!(!err.message().is_empty() && !err.explain().is_empty(), "{err:?}");
            assert_eq!(Error::from(err).wire_code(), code);
        }
        assert_eq!(
            RoleError::NoRoleConfigured { role_type: UNAUTHENTICATED }.message(),
            "Invalid identity pool configuration. Check assigned IAM roles for this pool."
        );
        assert!(RoleError::NoRuleMatched { rules_checked: 3 }.explain().contains("3 rule"));
    }

    #[test]
    fn rule_outcomes_follow_the_first_match_and_show_each_claim() {
        let mapping = rules(
            vec![
                rule("email", MappingRuleMatchType::StartsWith, "bob", "arn:aws:iam::123456789012:role/bob"),
                rule("cognito:groups", MappingRuleMatchType::Contains, "adm", "arn:aws:iam::123456789012:role/admin"),
                rule("email", MappingRuleMatchType::Contains, "@example.com", "arn:aws:iam::123456789012:role/example"),
                rule("department", MappingRuleMatchType::Equals, "x", "arn:aws:iam::123456789012:role/x"),
            ],
            Some(AmbiguousRoleResolutionType::Deny),
        );
        let claims = claims(json!({"email": "alice@example.com", "cognito:groups": ["admins", "staff"]}));
        let outcomes = rule_outcomes(&mapping, &claims);
        let got: Vec<(RuleVerdict, Option<&str>)> = outcomes.iter().map(|o| (o.verdict, o.claim_value.as_deref())).collect();
        assert_eq!(
            got,
            [
                (RuleVerdict::NotMatched, Some("alice@example.com")),
                (RuleVerdict::Matched, Some(r#"["admins","staff"]"#)),
                (RuleVerdict::NotReached, Some("alice@example.com")),
                (RuleVerdict::NotReached, None),
            ]
        );
        // The walk agrees with resolve's choice.
        let roles = pool(Some("arn:aws:iam::123456789012:role/auth"), None);
        let input = RoleInput { authenticated: true, roles: &roles, mapping: Some(&mapping), claims: &claims, custom_role_arn: None };
        assert!(matches!(resolve(&input), Ok(RoleDecision { reason: Reason::RuleMatched { index: 1, .. }, .. })));
    }

    #[test]
    fn reasons_describe_themselves() {
        let r = rule("cognito:groups", Contains, "admins", ADMIN);
        let cases = [
            (Reason::GuestRole, "unauthenticated role"),
            (Reason::DefaultRole, "no role mapping"),
            (Reason::RuleMatched { index: 2, rule: r }, "Rule 3 matched (cognito:groups Contains \"admins\")"),
            (Reason::PreferredRole, "cognito:preferred_role"),
            (Reason::OnlyRoleInToken, "exactly one role"),
            (Reason::CustomRoleFromToken, "CustomRoleArn"),
            (Reason::AmbiguousFellBackToAuthenticatedRole { why: "because".into() }, "Ambiguous (because)"),
        ];
        for (reason, want) in cases {
            assert!(reason.describe().contains(want), "{reason:?}: {}", reason.describe());
        }
    }

    #[test]
    fn serializes_in_pascal_case() {
        let r = rule("cognito:groups", Contains, "admins", ADMIN);
        let decision = RoleDecision { role_arn: ADMIN.to_owned(), reason: Reason::RuleMatched { index: 0, rule: r } };
        assert_eq!(
            serde_json::to_value(&decision).unwrap(),
            json!({"RoleArn": ADMIN, "Reason": {"Kind": "RuleMatched", "Index": 0, "Rule": {
                "Claim": "cognito:groups", "MatchType": "Contains", "Value": "admins", "RoleARN": ADMIN}}})
        );
        let fallback = RoleDecision { role_arn: AUTH.to_owned(), reason: Reason::AmbiguousFellBackToAuthenticatedRole { why: "w".into() } };
        assert_eq!(
            serde_json::to_value(&fallback).unwrap(),
            json!({"RoleArn": AUTH, "Reason": {"Kind": "AmbiguousFellBackToAuthenticatedRole", "Why": "w"}})
        );
        assert_eq!(serde_json::to_value(Reason::GuestRole).unwrap(), json!({"Kind": "GuestRole"}));
        assert_eq!(
            serde_json::to_value(RoleError::NoRuleMatched { rules_checked: 2 }).unwrap(),
            json!({"Kind": "NoRuleMatched", "RulesChecked": 2})
        );
    }

    #[test]
    fn validates_mappings_like_set_identity_pool_roles() {
        let good = rule("cognito:groups", Contains, "admins", ADMIN);
        let with_rule = |r: MappingRule| rules(vec![r], Some(Deny));
        let n_rules = |n: usize| rules(vec![good.clone(); n], Some(FallBack));
        let arn = |a: &str| with_rule(rule("c", Equals, "v", a));
        let long_name = format!("arn:aws:iam::123456789012:role/{}", "r".repeat(pooldesk_wire::rules::ROLE_ARN.max_len - 31));
        let too_long_name = format!("{long_name}r");
        assert_eq!(long_name.len(), pooldesk_wire::rules::ROLE_ARN.max_len);

        let accepted = [
            ("Token with Deny", token(Some(Deny))),
            ("Token with AuthenticatedRole", token(Some(FallBack))),
            ("one rule", with_rule(good.clone())),
            ("25 rules", n_rules(MAX_RULES)),
            ("64-character claim", with_rule(rule(&"c".repeat(64), Equals, "v", ADMIN))),
            ("unicode claim", with_rule(rule("custom:équipe", Equals, "v", ADMIN))),
            ("128-character value", with_rule(rule("c", Equals, &"é".repeat(128), ADMIN))),
            ("value with spaces", with_rule(rule("c", Equals, "a b", ADMIN))),
            ("aws-cn partition", arn("arn:aws-cn:iam::123456789012:role/x")),
            ("aws-us-gov partition", arn("arn:aws-us-gov:iam::123456789012:role/x")),
            ("role path", arn("arn:aws:iam::123456789012:role/service-role/x")),
            ("2048-character ARN", arn(&long_name)),
        ];
        for (name, m) in accepted {
            assert_eq!(validate_mapping(&m), Ok(()), "{name}");
        }

        let refused = [
            ("Token without AmbiguousRoleResolution", token(None), "AmbiguousRoleResolution"),
            ("Rules without AmbiguousRoleResolution", rules(vec![good.clone()], None), "AmbiguousRoleResolution"),
            (
                "Rules without RulesConfiguration",
                RoleMapping { r#type: RoleMappingType::Rules, ambiguous_role_resolution: Some(Deny), rules_configuration: None },
                "RulesConfiguration",
            ),
            ("no rules", n_rules(0), "between 1 and 25"),
            ("26 rules", n_rules(MAX_RULES + 1), "it has 26"),
            (
                "a Token mapping's rules are still checked",
                RoleMapping { rules_configuration: Some(RulesConfigurationType { rules: vec![] }), ..token(Some(Deny)) },
                "between 1 and 25",
            ),
            ("empty claim", with_rule(rule("", Equals, "v", ADMIN)), "Claim must be"),
            ("65-character claim", with_rule(rule(&"c".repeat(65), Equals, "v", ADMIN)), "Claim must be"),
            ("claim with a space", with_rule(rule("my claim", Equals, "v", ADMIN)), "whitespace"),
            ("claim with a control character", with_rule(rule("a\u{7}", Equals, "v", ADMIN)), "control"),
            ("empty value", with_rule(rule("c", Equals, "", ADMIN)), "Value must be"),
            ("129-character value", with_rule(rule("c", Equals, &"v".repeat(129), ADMIN)), "Value must be"),
            ("11-digit account", arn("arn:aws:iam::12345678901:role/x"), "RoleARN"),
            ("13-digit account", arn("arn:aws:iam::1234567890123:role/x"), "RoleARN"),
            ("non-digit account", arn("arn:aws:iam::12345678901a:role/x"), "RoleARN"),
            ("a user, not a role", arn("arn:aws:iam::123456789012:user/x"), "RoleARN"),
            ("no role name", arn("arn:aws:iam::123456789012:role/"), "RoleARN"),
            ("another service", arn("arn:aws:s3:::bucket-name-long"), "RoleARN"),
            ("upper-case partition", arn("arn:aws-CN:iam::123456789012:role/x"), "RoleARN"),
            ("a region", arn("arn:aws:iam:us-east-1:123456789012:role/x"), "RoleARN"),
            ("not an ARN", arn("Admin role for the pool"), "RoleARN"),
            ("2049-character ARN", arn(&too_long_name), "RoleARN"),
            ("a space in the role name", arn("arn:aws:iam::123456789012:role/my role"), "RoleARN"),
            ("line break in the name", arn("arn:aws:iam::123456789012:role/a\nb"), "RoleARN"),
        ];
        for (name, m, want) in refused {
            match validate_mapping(&m) {
                Err(why) => assert!(why.contains(want), "{name}: {why}"),
                Ok(()) => panic!("{name} should be refused"),
            }
        }
        // The message says which rule is wrong.
        let second_bad = rules(vec![good.clone(), rule("c", Equals, "", ADMIN)], Some(Deny));
        assert!(validate_mapping(&second_bad).is_err_and(|why| why.starts_with("Rule 2:")));
    }

    #[test]
    fn maps_principal_tags() {
        let tokens = json!({
            "sub": "u-1", "aud": "client-1", "email": "a@b.c", "custom:level": 3, "email_verified": true,
            "cognito:groups": ["admins", "users"], "address": {"x": 1}, "gone": null, "objects": [{}],
        });
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        let cases = [
            ("defaults", None, true, map(&[("username", "u-1"), ("client", "client-1")])),
            ("nothing", None, false, map(&[])),
            ("custom only", Some(map(&[("mail", "email")])), false, map(&[("mail", "a@b.c")])),
            (
                "number and boolean",
                Some(map(&[("lvl", "custom:level"), ("ok", "email_verified")])),
                false,
                map(&[("lvl", "3"), ("ok", "true")]),
            ),
            ("array joined with a space", Some(map(&[("groups", "cognito:groups")])), false, map(&[("groups", "admins users")])),
            (
                "missing, null, object and empty arrays skipped",
                Some(map(&[("a", "nope"), ("b", "gone"), ("c", "address"), ("d", "objects"), ("mail", "email")])),
                false,
                map(&[("mail", "a@b.c")]),
            ),
            (
                "defaults plus custom",
                Some(map(&[("mail", "email")])),
                true,
                map(&[("username", "u-1"), ("client", "client-1"), ("mail", "a@b.c")]),
            ),
            (
                "custom overrides a default",
                Some(map(&[("username", "email")])),
                true,
                map(&[("username", "a@b.c"), ("client", "client-1")]),
            ),
            ("custom override to a missing claim drops the tag", Some(map(&[("client", "nope")])), true, map(&[("username", "u-1")])),
        ];
        let claims_map = claims(tokens);
        for (name, attribute_map, use_defaults, want) in cases {
            assert_eq!(principal_tags(&claims_map, attribute_map.as_ref(), use_defaults), want, "{name}");
        }
        let multi_aud = claims(json!({"sub": "s", "aud": ["c1", "c2"]}));
        assert_eq!(principal_tags(&multi_aud, None, true), map(&[("username", "s"), ("client", "c1 c2")]));
        assert!(principal_tags(&claims(json!({})), None, true).is_empty());
    }

    // ---- Properties -----------------------------------------------------------------------

    const CLAIM_NAMES: [&str; 6] = ["a", "b", "c", "cognito:groups", ROLES_CLAIM, PREFERRED_ROLE_CLAIM];
    const ROLE_POOL: [&str; 4] = [ADMIN, DEV, READER, AUTH];

    /// Claim values from a tiny alphabet, so that rules with small values often match.
    fn scalar_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            "[ab]{0,3}".prop_map(Value::from),
            (0i64..20).prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
            prop::sample::select(ROLE_POOL.to_vec()).prop_map(Value::from),
            Just(Value::Null),
            ".{0,8}".prop_map(Value::from),
        ]
    }

    fn claim_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            3 => scalar_value(),
            2 => prop::collection::vec(scalar_value(), 0..4).prop_map(Value::Array),
            1 => Just(json!({"nested": ["a"]})),
        ]
    }

    fn claims_strategy() -> impl Strategy<Value = Map<String, Value>> {
        prop::collection::btree_map(prop::sample::select(CLAIM_NAMES.to_vec()), claim_value(), 0..5)
            .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    fn match_type() -> impl Strategy<Value = MappingRuleMatchType> {
        prop::sample::select(vec![Equals, Contains, StartsWith, NotEqual])
    }

    fn rule_strategy() -> impl Strategy<Value = MappingRule> {
        (
            prop_oneof![prop::sample::select(CLAIM_NAMES.to_vec()).prop_map(str::to_owned), ".{0,4}"],
            match_type(),
            prop_oneof!["[ab1]{0,2}", ".{0,4}"],
            prop::sample::select(ROLE_POOL.to_vec()),
        )
            .prop_map(|(claim, mt, value, role)| rule(&claim, mt, &value, role))
    }

    fn amb_strategy() -> impl Strategy<Value = Option<AmbiguousRoleResolutionType>> {
        prop::option::of(prop::sample::select(vec![FallBack, Deny]))
    }

    /// An independent reading of the matching semantics, to check `rule_matches` against.
    fn oracle(rule: &MappingRule, claims: &Map<String, Value>) -> bool {
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(format!("{n}")),
            Value::Bool(b) => Some(format!("{b}")),
            _ => None,
        };
        let values: Vec<String> = match claims.get(&rule.claim) {
            None | Some(Value::Null) | Some(Value::Object(_)) => return false,
            Some(Value::Array(items)) => items.iter().filter_map(text).collect(),
            Some(v) => text(v).into_iter().collect(),
        };
        let equal = values.contains(&rule.value);
        match rule.match_type {
            Equals => equal,
            NotEqual => !equal,
            Contains => values.iter().any(|v| v.contains(&rule.value)),
            StartsWith => values.iter().any(|v| v.starts_with(&rule.value)),
        }
    }

    fn resolve_rules(
        rule_list: &[MappingRule],
        amb: Option<AmbiguousRoleResolutionType>,
        claims: &Map<String, Value>,
    ) -> Result<RoleDecision, RoleError> {
        let roles = pool(Some(AUTH), Some(GUEST));
        let mapping = rules(rule_list.to_vec(), amb);
        resolve(&RoleInput { authenticated: true, roles: &roles, mapping: Some(&mapping), claims, custom_role_arn: None })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn resolve_never_panics(
            authenticated in any::<bool>(),
            auth in prop::option::of(prop_oneof![Just(AUTH.to_owned()), Just(String::new()), ".{0,6}"]),
            guest in prop::option::of(Just(GUEST.to_owned())),
            kind in prop::option::of(prop::sample::select(vec![RoleMappingType::Rules, RoleMappingType::Token])),
            amb in amb_strategy(),
            rule_list in prop::option::of(prop::collection::vec(rule_strategy(), 0..6)),
            claims in claims_strategy(),
            custom in prop::option::of(prop_oneof![prop::sample::select(ROLE_POOL.to_vec()).prop_map(str::to_owned), ".{0,6}"]),
        ) {
            let mut roles = BTreeMap::new();
            if let Some(a) = auth { roles.insert(AUTHENTICATED.to_owned(), a); }
            if let Some(g) = guest { roles.insert(UNAUTHENTICATED.to_owned(), g); }
            let mapping = kind.map(|r#type| RoleMapping {
                r#type,
                ambiguous_role_resolution: amb,
                rules_configuration: rule_list.map(|rules| RulesConfigurationType { rules }),
            });
            let input = RoleInput { authenticated, roles: &roles, mapping: mapping.as_ref(), claims: &claims, custom_role_arn: custom.as_deref() };
            match resolve(&input) {
                // Every decision names a role, and every error has a Cognito name and a message.
                Ok(d) => prop_assert!(!d.role_arn.is_empty()),
                Err(e) => prop_assert!(!e.message().is_empty() && !Error::from(e).is_internal()),
            }
            if let Some(m) = &mapping { let _ = validate_mapping(m); }
            let _ = principal_tags(&claims, None, true);
        }

        #[test]
        fn rule_matching_agrees_with_the_oracle(r in rule_strategy(), claims in claims_strategy()) {
            prop_assert_eq!(rule_matches(&r, &claims), oracle(&r, &claims));
        }

        #[test]
        fn the_first_matching_rule_decides(
            rule_list in prop::collection::vec(rule_strategy(), 1..8),
            amb in amb_strategy(),
            claims in claims_strategy(),
        ) {
            let first = rule_list.iter().position(|r| oracle(r, &claims));
            match (first, resolve_rules(&rule_list, amb, &claims)) {
                (Some(i), Ok(RoleDecision { role_arn, reason: Reason::RuleMatched { index, rule } })) => {
                    prop_assert_eq!(index, i);
                    prop_assert_eq!(&rule, &rule_list[i]);
                    prop_assert_eq!(role_arn, rule_list[i].role_arn.clone());
                }
                (None, Ok(RoleDecision { reason: Reason::RuleMatched { .. }, .. })) => prop_assert!(false, "a rule matched per resolve, none per the oracle"),
                (Some(i), other) => prop_assert!(false, "rule {} matches but resolve said {:?}", i, other),
                (None, _) => {}
            }
        }

        #[test]
        fn reordering_non_matching_rules_changes_nothing(
            rule_list in prop::collection::vec(rule_strategy(), 1..8),
            amb in amb_strategy(),
            claims in claims_strategy(),
            seed in prop::collection::vec(any::<usize>(), 8),
        ) {
            let (hits, misses): (Vec<MappingRule>, Vec<MappingRule>) = rule_list.iter().cloned().partition(|r| oracle(r, &claims));
            let before = resolve_rules(&rule_list, amb, &claims);

            // Non-matching rules permuted among their own slots: the very same decision.
            let mut shuffled = misses.clone();
            for i in (1..shuffled.len()).rev() {
                shuffled.swap(i, seed[i % seed.len()] % (i + 1));
            }
            let mut next_miss = shuffled.into_iter();
            let same_slots: Vec<MappingRule> = rule_list
                .iter()
                .map(|r| if oracle(r, &claims) { Some(r.clone()) } else { next_miss.next() })
                .collect::<Option<Vec<_>>>()
                .unwrap_or_default();
            prop_assert_eq!(same_slots.len(), rule_list.len());
            prop_assert_eq!(&resolve_rules(&same_slots, amb, &claims), &before);

            // Non-matching rules moved anywhere (matching ones keep their order): the same role
            // and rule, only the index may change.
            let mut anywhere = hits.clone();
            for (i, miss) in misses.into_iter().enumerate() {
                let at = seed[i % seed.len()] % (anywhere.len() + 1);
                anywhere.insert(at, miss);
            }
            let after = resolve_rules(&anywhere, amb, &claims);
            match (&before, &after) {
                (
                    Ok(RoleDecision { role_arn: a, reason: Reason::RuleMatched { rule: ra, .. } }),
                    Ok(RoleDecision { role_arn: b, reason: Reason::RuleMatched { rule: rb, .. } }),
                ) => {
                    prop_assert_eq!(a, b);
                    prop_assert_eq!(ra, rb);
                }
                _ => prop_assert_eq!(&before, &after),
            }
        }

        #[test]
        fn deny_without_a_match_always_errors(
            rule_list in prop::collection::vec(rule_strategy(), 0..8),
            deny in prop::option::of(Just(Deny)),
            claims in claims_strategy(),
        ) {
            prop_assume!(!rule_list.iter().any(|r| oracle(r, &claims)));
            prop_assert_eq!(
                resolve_rules(&rule_list, deny, &claims),
                Err(RoleError::NoRuleMatched { rules_checked: rule_list.len() })
            );
        }
    }
}
