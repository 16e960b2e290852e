#!/usr/bin/env python3
"""Writes the fuzzers' seed inputs: for every operation of both services, the model's baseline
request and each bad request derived from it (tests/e2e/models.py, the bad-input suite's cases),
plus requests that get past the checks (real sign-in, refresh, SRP, filters, identities, STS),
with the fixture's placeholders for its ids and tokens (fuzz/fuzz_targets/fixture.rs).

    python3 fuzz/seeds.py OUT_DIR      # writes OUT_DIR/<target>/<sha1>
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
import models  # noqa: E402

# The fixture's things, by the shapes that name them.
models.PLAUSIBLE.update(
    {
        "UserPoolIdType": "@pool",
        "ClientIdType": "@client",
        "IdentityPoolId": "@idpool",
        "IdentityId": "@identity",
        "UsernameType": "alice",
        "PasswordType": "Passw0rd!",
        "TokenModelType": "@accesstoken",
    }
)
PROVIDER = "cognito-idp.us-east-1.amazonaws.com/@pool"
JSON_11 = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded"
# Longer seeds test the model's length limits (the bad-input suite does); they would only slow
# the fuzzer's mutations down.
MAX_SEED_BYTES = 16 * 1024
SRP_A = "3" * 512  # a hex number of the group's size; the server only checks it is not 0 mod N

DEEP_REQUESTS: list[tuple[str, dict]] = [
    ("InitiateAuth", {"ClientId": "@client", "AuthFlow": "USER_PASSWORD_AUTH",
                      "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    ("InitiateAuth", {"ClientId": "@client", "AuthFlow": "REFRESH_TOKEN_AUTH",
                      "AuthParameters": {"REFRESH_TOKEN": "@refreshtoken"}}),
    ("InitiateAuth", {"ClientId": "@client", "AuthFlow": "USER_SRP_AUTH",
                      "AuthParameters": {"USERNAME": "alice", "SRP_A": SRP_A}}),
    ("RespondToAuthChallenge", {"ClientId": "@client", "ChallengeName": "PASSWORD_VERIFIER",
                                "ChallengeResponses": {"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": "AAAA",
                                                       "PASSWORD_CLAIM_SIGNATURE": "AAAA",
                                                       "TIMESTAMP": "Mon Nov 23 10:00:00 UTC 2026"}}),
    ("AdminInitiateAuth", {"UserPoolId": "@pool", "ClientId": "@client", "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                           "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    ("GetUser", {"AccessToken": "@accesstoken"}),
    ("UpdateUserAttributes", {"AccessToken": "@accesstoken", "UserAttributes": [{"Name": "name", "Value": "Alice"}]}),
    ("ChangePassword", {"AccessToken": "@accesstoken", "PreviousPassword": "Passw0rd!", "ProposedPassword": "Passw0rd!2"}),
    ("AssociateSoftwareToken", {"AccessToken": "@accesstoken"}),
    ("RevokeToken", {"ClientId": "@client", "Token": "@refreshtoken"}),
    ("SignUp", {"ClientId": "@client", "Username": "bob", "Password": "Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
    ("ForgotPassword", {"ClientId": "@client", "Username": "alice"}),
    ("ListUsers", {"UserPoolId": "@pool", "Filter": 'username ^= "al"', "Limit": 60}),
    ("ListUsers", {"UserPoolId": "@pool", "Filter": 'email = "bob@example.com"', "AttributesToGet": ["email"]}),
    ("AdminUpdateUserAttributes", {"UserPoolId": "@pool", "Username": "alice",
                                   "UserAttributes": [{"Name": "custom:tier", "Value": "gold"}]}),
    ("CreateGroup", {"UserPoolId": "@pool", "GroupName": "admins", "Precedence": 1,
                     "RoleArn": "arn:aws:iam::000000000000:role/admins"}),
    ("AdminAddUserToGroup", {"UserPoolId": "@pool", "Username": "alice", "GroupName": "admins"}),
    ("GetId", {"IdentityPoolId": "@idpool", "Logins": {PROVIDER: "@idtoken"}}),
    ("GetId", {"IdentityPoolId": "@idpool"}),
    ("GetCredentialsForIdentity", {"IdentityId": "@identity", "Logins": {PROVIDER: "@idtoken"}}),
    ("GetOpenIdToken", {"IdentityId": "@identity", "Logins": {PROVIDER: "@idtoken"}}),
    ("SetIdentityPoolRoles", {"IdentityPoolId": "@idpool",
                              "Roles": {"authenticated": "arn:aws:iam::000000000000:role/auth"},
                              "RoleMappings": {PROVIDER: {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                                                          "RulesConfiguration": {"Rules": [
                                                              {"Claim": "cognito:groups", "MatchType": "Contains",
                                                               "Value": "admins",
                                                               "RoleArn": "arn:aws:iam::000000000000:role/admins"}]}}}}),
    ("GetIdentityPoolRoles", {"IdentityPoolId": "@idpool"}),
]

FILTERS = ['username = "alice"', 'email ^= "a"', 'status = "Enabled"', 'cognito:user_status = "CONFIRMED"',
           'name ^= "\\"quoted\\""', 'phone_number ^= "+1"', 'sub = "00000000-0000-4000-8000-000000000000"', '']
TOKENS = ["eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJ4IiwidG9rZW5fdXNlIjoiaWQifQ.c2ln",
          "eyJhbGciOiJub25lIn0.eyJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.", "a.b.c", "..", ""]
SRP = [SRP_A, "0", "1", "F" * 768, "Mon Nov 23 10:00:00 UTC 2026", "Tue Jan 1 00:00:00 UTC 2030", "AAAA" * 11]
SIGV4 = [
    "\nauthorization: AWS4-HMAC-SHA256 Credential=AKIAFUZZFUZZFUZZFUZZ/20261123/us-east-1/cognito-idp/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64 + "\n"
    "host: 127.0.0.1:9229\nx-amz-date: 20261123T100000Z\ncontent-type: application/x-amz-json-1.1\n"
    "x-amz-target: AWSCognitoIdentityProviderService.ListUserPools\n\n{\"MaxResults\": 10}",
    "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
    "AKIAFUZZFUZZFUZZFUZZ%2F20261123%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20261123T100000Z&"
    "X-Amz-SignedHeaders=host&X-Amz-Signature=" + "0" * 64 + "\nhost: 127.0.0.1\n\n",
]
STS = [
    ("/", FORM, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fauth"
                "&RoleSessionName=fuzz&WebIdentityToken=@idtoken&DurationSeconds=900"),
    ("/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fauth"
     "&RoleSessionName=fuzz&WebIdentityToken=@idtoken", "", ""),
    ("/", FORM, "Action=GetCallerIdentity&Version=2011-06-15"),
    ("/", "", "Action=AssumeRole&Version=2011-06-15"),
]


SAML_NS = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
SAML_ASSERTION = (
    '<saml:Assertion ID="_a" Version="2.0" IssueInstant="2027-01-15T08:00:00Z"><saml:Issuer>https://idp.example/metadata</saml:Issuer>'
    '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">a@example.com</saml:NameID>'
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="_request" '
    'Recipient="https://auth.example/saml2/idpresponse" NotOnOrAfter="2027-01-15T08:05:00Z"/></saml:SubjectConfirmation></saml:Subject>'
    '<saml:Conditions NotBefore="2027-01-15T07:59:00Z" NotOnOrAfter="2027-01-15T08:05:00Z"><saml:AudienceRestriction>'
    '<saml:Audience>urn:amazon:cognito:sp:us-east-1_fuzz</saml:Audience></saml:AudienceRestriction></saml:Conditions>'
    '<saml:AuthnStatement SessionIndex="_s"/><saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>a@example.com'
    '</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>'
)
SAML_SUCCESS = '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
# What identity providers send (metadata, responses, an encrypted assertion's envelope) and
# what attackers try (a DOCTYPE, a wrapped second assertion): the `saml` target's seeds.
SAML = [
    f'<samlp:Response {SAML_NS} ID="_r" InResponseTo="_request" Version="2.0" IssueInstant="2027-01-15T08:00:00Z" '
    f'Destination="https://auth.example/saml2/idpresponse"><saml:Issuer>https://idp.example/metadata</saml:Issuer>{SAML_SUCCESS}{SAML_ASSERTION}</samlp:Response>',
    SAML_ASSERTION.replace("<saml:Assertion ", f"<saml:Assertion {SAML_NS} ", 1),
    f'<samlp:Response {SAML_NS} ID="_r" Version="2.0" IssueInstant="2027-01-15T08:00:00Z">{SAML_SUCCESS}{SAML_ASSERTION}{SAML_ASSERTION}</samlp:Response>',
    f'<samlp:Response {SAML_NS} ID="_r" Version="2.0" IssueInstant="2027-01-15T08:00:00Z">{SAML_SUCCESS}<saml:EncryptedAssertion>'
    '<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>'
    '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>'
    '<xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>'
    '<xenc:CipherData><xenc:CipherValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion></samlp:Response>',
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/metadata"><md:IDPSSODescriptor>'
    '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>MIIB'
    '</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
    'Location="https://idp.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>',
    f'<samlp:LogoutResponse {SAML_NS} ID="_l" InResponseTo="_request" Version="2.0" IssueInstant="2027-01-15T08:00:00Z">{SAML_SUCCESS}</samlp:LogoutResponse>',
    '<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>',
]


def main(out: Path) -> None:
    seeds: dict[str, list[bytes]] = {t: [] for t in ("dispatch", "http", "filter", "tokens", "srp", "sigv4", "saml")}
    for svc in (models.IDP, models.IDENTITY):
        for op in sorted(svc.operations):
            baseline = json.dumps(models.sample(svc, svc.input_shape(op))).encode()
            seeds["dispatch"].append(op.encode() + b"\n" + baseline)
            seeds["dispatch"] += [op.encode() + b"\n" + body for _, body in models.cases(svc, op)]
            target = f"{svc.target_prefix}.{op}"
            seeds["http"].append(f"\n{target}\n\n{JSON_11}\n".encode() + baseline)
    for op, body in DEEP_REQUESTS:
        svc = models.IDP if op in models.IDP.operations else models.IDENTITY
        seeds["dispatch"].append(op.encode() + b"\n" + json.dumps(body).encode())
        seeds["http"].append(f"\n{svc.target_prefix}.{op}\n\n{JSON_11}\n{json.dumps(body)}".encode())
    seeds["http"] += [f"{uri}\n\n\n{ctype}\n{body}".encode() for uri, ctype, body in STS]
    seeds["filter"] = [f.encode() for f in FILTERS]
    seeds["tokens"] = [t.encode() for t in TOKENS]
    seeds["srp"] = [s.encode() for s in SRP]
    seeds["sigv4"] = [s.encode() for s in SIGV4]
    seeds["saml"] = [s.encode() for s in SAML]
    for target, inputs in seeds.items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        inputs = [data for data in inputs if len(data) <= MAX_SEED_BYTES]
        for data in inputs:
            (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        print(f"{target}: {len(inputs)} seeds")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
