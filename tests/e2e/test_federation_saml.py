"""Federation with a SAML 2.0 identity provider: CreateIdentityProvider with SAML metadata (file or
URL), GetSigningCertificate, and sign-in through a real SAML implementation (samlify's IdP role,
js/saml_idp.mjs): PoolDesk sends an AuthnRequest by HTTP-Redirect (signed when the provider asks),
takes the signed Response at `/saml2/idpresponse`, and signs in the pool's user `<provider>_<NameID>`.
Forged, expired, misaddressed, re-signed, wrapped and replayed responses are refused."""

from __future__ import annotations

import base64
import copy
import datetime
import re
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import jwt
import pytest
import requests
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import error_code
from login_pages import query_of
from saml_idp import cert_der_b64, response_xml, saml_idp  # noqa: F401 (a fixture)

CALLBACK = "https://app.example.com/callback"
SIGNED_OUT = "https://app.example.com/signed-out"
EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
ACCOUNT = {
    "username": "carol",
    "password": "Saml-Passw0rd!",
    "name_id": "carol@corp.example",
    "name_id_format": "email",
    "attributes": {EMAIL_CLAIM: "carol@corp.example", "displayName": "Carol Jones", "groups": ["admins", "staff"]},
}
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"


class SamlFederation:
    """A pool with a domain and a custom `groups` attribute, a SAML provider `Corp` backed by a
    running samlify IdP (registered there as the pool's service provider), and an app client."""

    def __init__(self, idp_client, server, make_pool, make_client, start_idp, details=None, sp=None):
        self.idp_client, self.server = idp_client, server
        self.pool_id = make_pool(Schema=[{"Name": "groups", "AttributeDataType": "String", "Mutable": True}])["Id"]
        self.domain = f"saml{uuid.uuid4().hex[:10]}"
        idp_client.create_user_pool_domain(Domain=self.domain, UserPoolId=self.pool_id)
        self.base = f"{server.endpoint}/domains/{self.domain}"
        self.acs = f"{self.base}/saml2/idpresponse"
        self.entity_id = f"urn:amazon:cognito:sp:{self.pool_id}"
        self.provider = start_idp([ACCOUNT])
        self.created = idp_client.create_identity_provider(
            UserPoolId=self.pool_id,
            ProviderName="Corp",
            ProviderType="SAML",
            ProviderDetails={"MetadataURL": self.provider.metadata_url, **(details or {})},
            AttributeMapping={"email": EMAIL_CLAIM, "name": "displayName", "custom:groups": "groups"},
        )["IdentityProvider"]
        registration = {"entity_id": self.entity_id, "acs_url": self.acs, "slo_url": f"{self.base}/saml2/logout", "want_signed_requests": False, "encrypt": False}
        registration.update(sp or {})
        self.provider.register_sp(**registration)
        self.client = make_client(
            self.pool_id,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            CallbackURLs=[CALLBACK],
            LogoutURLs=[SIGNED_OUT],
            SupportedIdentityProviders=["COGNITO", "Corp"],
        )
        self.discovery = requests.get(f"{server.endpoint}/{self.pool_id}/.well-known/openid-configuration", timeout=10).json()

    def authorize_query(self, **extra) -> dict:
        return {"client_id": self.client["ClientId"], "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid email profile", "state": "st4te", **extra}

    def authorize_url(self, **extra) -> str:
        return f"{self.discovery['authorization_endpoint']}?{urllib.parse.urlencode(self.authorize_query(**extra))}"

    def start(self) -> str:
        """The IdP URL PoolDesk sends the browser to for `identity_provider=Corp`."""
        resp = requests.get(self.authorize_url(identity_provider="Corp"), allow_redirects=False, timeout=10)
        assert resp.status_code == 302, resp.text
        return resp.headers["Location"]

    def post(self, answer: dict) -> requests.Response:
        """The browser posts the IdP's answer to PoolDesk's ACS."""
        assert answer["action"] == self.acs
        return requests.post(self.acs, data={"SAMLResponse": answer["SAMLResponse"], "RelayState": answer["RelayState"]}, allow_redirects=False, timeout=15)

    def sign_in(self, tamper: str | None = None) -> requests.Response:
        return self.post(self.provider.sign_in(self.start(), ACCOUNT["username"], ACCOUNT["password"], tamper=tamper))

    def tokens(self, resp: requests.Response) -> dict:
        assert resp.status_code == 302 and resp.headers["Location"].startswith(CALLBACK), f"{resp.status_code} {resp.text[:600]}"
        back = resp.headers["Location"]
        form = {"grant_type": "authorization_code", "client_id": self.client["ClientId"], "code": query_of(back)["code"], "redirect_uri": CALLBACK}
        answer = requests.post(self.discovery["token_endpoint"], data=form, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def claims(self, resp: requests.Response) -> dict:
        token = self.tokens(resp)["id_token"]
        key = jwt.PyJWKClient(self.discovery["jwks_uri"]).get_signing_key_from_jwt(token)
        return jwt.decode(token, key.key, algorithms=["RS256"], issuer=self.discovery["issuer"], options={"verify_aud": False})


@pytest.fixture
def fed(idp, server, make_pool, make_client, saml_idp):  # noqa: F811 (the fixture)
    return SamlFederation(idp, server, make_pool, make_client, saml_idp)


def refused(resp: requests.Response, why: str) -> None:
    assert resp.status_code == 400, f"{resp.status_code} {resp.headers.get('Location')} {resp.text[:400]}"
    assert "Location" not in resp.headers
    assert why in resp.text, resp.text[:1500]


def test_describe_shows_the_endpoints_read_from_the_metadata(idp, fed):
    details = fed.created["ProviderDetails"]
    assert details["MetadataURL"] == fed.provider.metadata_url
    assert details["SSORedirectBindingURI"] == f"{fed.provider.base}/sso"
    assert details["SLORedirectBindingURI"] == f"{fed.provider.base}/slo"
    assert "ActiveEncryptionCertificate" not in details and "EncryptionPrivateKey" not in details
    # The same provider from the metadata file itself.
    idp.create_identity_provider(
        UserPoolId=fed.pool_id, ProviderName="CorpFile", ProviderType="SAML", ProviderDetails={"MetadataFile": fed.provider.metadata()}
    )
    described = idp.describe_identity_provider(UserPoolId=fed.pool_id, ProviderName="CorpFile")["IdentityProvider"]
    assert described["ProviderDetails"]["SSORedirectBindingURI"] == f"{fed.provider.base}/sso"
    assert described["AttributeMapping"] == {}, "SAML providers map no username: it is the NameID"


def test_saml_details_are_checked_as_cognito_checks_them(idp, fed):
    metadata = fed.provider.metadata()

    def create(details: dict, name: str = "Bad") -> ClientError:
        with pytest.raises(ClientError) as e:
            idp.create_identity_provider(UserPoolId=fed.pool_id, ProviderName=name, ProviderType="SAML", ProviderDetails=details)
        return e.value

    assert error_code(create({})) == "InvalidParameterException"
    assert error_code(create({"MetadataFile": metadata, "MetadataURL": fed.provider.metadata_url})) == "InvalidParameterException"
    assert error_code(create({"MetadataFile": "<not-metadata/>"})) == "InvalidParameterException"
    with_doctype = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + metadata
    assert "DOCTYPE" in create({"MetadataFile": with_doctype}).response["Error"]["Message"]
    assert error_code(create({"MetadataFile": metadata, "RequestSigningAlgorithm": "rsa-sha1"})) == "InvalidParameterException"
    assert error_code(create({"MetadataFile": metadata, "IDPInit": "yes"})) == "InvalidParameterException"
    assert error_code(create({"MetadataFile": metadata, "SomethingElse": "1"})) == "InvalidParameterException"
    assert error_code(create({"MetadataFile": metadata, "EncryptionPrivateKey": "mine"})) == "InvalidParameterException"
    assert error_code(create({"MetadataURL": "http://203.0.113.9/metadata"})) == "InvalidParameterException"
    no_keys = metadata.replace("KeyDescriptor", "KeyDescriptorGone")
    assert "no signing certificate" in create({"MetadataFile": no_keys}).response["Error"]["Message"]


def test_the_signing_certificate_is_the_pools_own(idp, fed):
    first = idp.get_signing_certificate(UserPoolId=fed.pool_id)["Certificate"]
    assert "BEGIN" not in first, "Cognito answers base64 DER, no PEM armour"
    cert = x509.load_der_x509_certificate(base64.b64decode(first))
    assert cert.subject.rfc4514_string() == f"CN={fed.pool_id}" and cert.issuer == cert.subject
    assert isinstance(cert.public_key(), rsa.RSAPublicKey) and cert.public_key().key_size == 2048
    assert cert.not_valid_after_utc - cert.not_valid_before_utc >= datetime.timedelta(days=3649)
    assert idp.get_signing_certificate(UserPoolId=fed.pool_id)["Certificate"] == first
    with pytest.raises(ClientError) as e:
        idp.get_signing_certificate(UserPoolId="us-east-1_Nope12345")
    assert error_code(e.value) == "ResourceNotFoundException"


def test_a_user_signs_in_through_the_saml_provider(idp, fed):
    claims = fed.claims(fed.sign_in())
    assert claims["cognito:username"] == "Corp_carol@corp.example"
    assert claims["email"] == "carol@corp.example" and claims["email_verified"] is False
    assert claims["name"] == "Carol Jones" and claims["custom:groups"] == "[admins, staff]"
    identity = claims["identities"][0]
    assert (identity["userId"], identity["providerName"], identity["providerType"]) == ("carol@corp.example", "Corp", "SAML")
    assert f"{fed.pool_id}_Corp" in claims["cognito:groups"]
    sent = fed.provider.last_request()
    assert sent["issuer"] == fed.entity_id and sent["acs_url"] == fed.acs and sent["signed"] is False
    # Again: the same user.
    assert fed.claims(fed.sign_in())["sub"] == claims["sub"]
    assert [u["Username"] for u in idp.list_users(UserPoolId=fed.pool_id)["Users"]] == ["Corp_carol@corp.example"]


def test_requests_are_signed_with_the_pools_certificate_when_asked(idp, server, make_pool, make_client, saml_idp):  # noqa: F811
    fed = SamlFederation(idp, server, make_pool, make_client, saml_idp, details={"RequestSigningAlgorithm": "rsa-sha256"})
    certificate = idp.get_signing_certificate(UserPoolId=fed.pool_id)["Certificate"]
    fed.provider.register_sp(entity_id=fed.entity_id, acs_url=fed.acs, want_signed_requests=True, signing_cert=certificate, encrypt=False)
    to = fed.start()
    assert "SigAlg=" in to and "Signature=" in to
    fed.tokens(fed.post(fed.provider.sign_in(to, ACCOUNT["username"], ACCOUNT["password"])))
    assert fed.provider.last_request()["signed"] is True
    # A signature by another key is refused by the IdP: the one PoolDesk makes is the pool's.
    other = fed.start().replace("Signature=", "Signature=AAAA")
    with pytest.raises(AssertionError):
        fed.provider.sign_in(other, ACCOUNT["username"], ACCOUNT["password"])


@pytest.mark.parametrize(
    "tamper, why",
    [
        ("expired", "expired"),
        ("audience=urn:amazon:cognito:sp:someone-else", "audience"),
        ("unsigned", "signature"),
        ("other_key", "signature"),
        ("recipient=https://evil.example/saml2/idpresponse", "is not http://127.0.0.1"),
        ("in_response_to=_not-the-request", "InResponseTo"),
    ],
)
def test_a_response_that_does_not_hold_is_refused(fed, tamper, why):
    refused(fed.sign_in(tamper=tamper), why)


def test_a_response_is_used_once(fed):
    answer = fed.provider.sign_in(fed.start(), ACCOUNT["username"], ACCOUNT["password"])
    fed.tokens(fed.post(answer))
    refused(fed.post(answer), "IDPInit")


def test_a_wrapped_assertion_is_refused(fed):
    """Signature wrapping: the signed assertion kept where the signature finds it, an unsigned one
    naming someone else put first for a careless reader."""
    answer = fed.provider.sign_in(fed.start(), ACCOUNT["username"], ACCOUNT["password"])
    ET.register_namespace("saml", SAML)
    ET.register_namespace("samlp", SAMLP)
    ET.register_namespace("ds", "http://www.w3.org/2000/09/xmldsig#")
    root = ET.fromstring(response_xml(answer))
    signed = root.find(f"{{{SAML}}}Assertion")
    evil = copy.deepcopy(signed)
    evil.set("ID", "_evil")
    for sig in evil.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        evil.remove(sig)
    evil.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID").text = "admin@corp.example"
    root.insert(list(root).index(signed), evil)
    forged = dict(answer, SAMLResponse=base64.b64encode(ET.tostring(root)).decode())
    resp = fed.post(forged)
    assert resp.status_code == 400 and "Location" not in resp.headers, resp.text[:400]
    assert not [u for u in fed.idp_client.list_users(UserPoolId=fed.pool_id)["Users"] if "admin" in u["Username"]]


def test_a_document_type_declaration_or_a_malformed_response_is_refused(fed):
    def fresh() -> dict:
        return fed.provider.sign_in(fed.start(), ACCOUNT["username"], ACCOUNT["password"])

    answer = fresh()
    body = response_xml(answer).split("?>", 1)[-1]
    with_doctype = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]>' + body
    refused(fed.post(dict(answer, SAMLResponse=base64.b64encode(with_doctype.encode()).decode())), "DOCTYPE")
    refused(fed.post(dict(fresh(), SAMLResponse="not base64 at all!")), "base64")
    refused(fed.post(dict(fresh(), SAMLResponse="A" * 100_004)), "100000")
    # The relay state of a refused response is spent: the sign-in starts again.
    refused(fed.post(answer), "already used")


def test_a_sign_in_begun_at_the_provider(idp, server, make_pool, make_client, saml_idp):  # noqa: F811
    fed = SamlFederation(idp, server, make_pool, make_client, saml_idp, details={"IDPInit": "true"})
    relay = urllib.parse.urlencode(fed.authorize_query(identity_provider="Corp"))
    answer = fed.provider.idp_initiated(fed.entity_id, ACCOUNT["username"], relay_state=relay)
    resp = fed.post(answer)
    assert query_of(resp.headers["Location"])["state"] == "st4te"
    assert fed.claims(resp)["cognito:username"] == "Corp_carol@corp.example"
    refused(fed.post(answer), "already used")
    # Not to another redirect URI than the client's.
    elsewhere = urllib.parse.urlencode(fed.authorize_query(identity_provider="Corp", redirect_uri="https://evil.example/cb"))
    resp = fed.post(fed.provider.idp_initiated(fed.entity_id, ACCOUNT["username"], relay_state=elsewhere))
    assert resp.status_code == 400 and "evil.example" not in resp.headers.get("Location", "")


def test_a_provider_not_set_for_it_refuses_sign_ins_begun_at_the_provider(fed):
    relay = urllib.parse.urlencode(fed.authorize_query(identity_provider="Corp"))
    refused(fed.post(fed.provider.idp_initiated(fed.entity_id, ACCOUNT["username"], relay_state=relay)), "IDPInit")


@pytest.mark.parametrize("algorithm", ["aes128-cbc", "aes256-cbc", "aes128-gcm", "aes256-gcm"])
def test_encrypted_assertions_are_decrypted_with_the_providers_key(idp, server, make_pool, make_client, saml_idp, algorithm):  # noqa: F811
    fed = SamlFederation(idp, server, make_pool, make_client, saml_idp, details={"EncryptedResponses": "true"})
    certificate = fed.created["ProviderDetails"]["ActiveEncryptionCertificate"]
    cert = x509.load_der_x509_certificate(base64.b64decode(certificate))
    assert cert.subject.rfc4514_string() == f"CN={fed.pool_id}"
    assert "EncryptionPrivateKey" not in fed.created["ProviderDetails"]
    fed.provider.register_sp(
        entity_id=fed.entity_id, acs_url=fed.acs, want_signed_requests=False, encrypt=True,
        encryption_cert=certificate, data_encryption=algorithm,
    )
    answer = fed.provider.sign_in(fed.start(), ACCOUNT["username"], ACCOUNT["password"])
    assert "EncryptedAssertion" in response_xml(answer) and "carol@corp.example" not in response_xml(answer)
    assert fed.claims(fed.post(answer))["email"] == "carol@corp.example"
    # The key stays across an update, and never leaves the server.
    updated = idp.update_identity_provider(
        UserPoolId=fed.pool_id, ProviderName="Corp", ProviderDetails={"MetadataURL": fed.provider.metadata_url, "EncryptedResponses": "true"}
    )["IdentityProvider"]["ProviderDetails"]
    assert updated["ActiveEncryptionCertificate"] == certificate and "EncryptionPrivateKey" not in updated


def test_an_unencrypted_assertion_is_refused_when_encryption_is_required(idp, server, make_pool, make_client, saml_idp):  # noqa: F811
    fed = SamlFederation(idp, server, make_pool, make_client, saml_idp, details={"EncryptedResponses": "true"})
    refused(fed.sign_in(), "EncryptedResponses")


def test_signing_out_ends_the_session_at_the_provider_too(idp, server, make_pool, make_client, saml_idp):  # noqa: F811
    fed = SamlFederation(idp, server, make_pool, make_client, saml_idp, details={"IDPSignout": "true"})
    certificate = idp.get_signing_certificate(UserPoolId=fed.pool_id)["Certificate"]
    # The IdP checks every signature it is sent against the certificate it has for the SP.
    fed.provider.register_sp(
        entity_id=fed.entity_id, acs_url=fed.acs, slo_url=f"{fed.base}/saml2/logout", signing_cert=certificate,
        want_signed_requests=False, encrypt=False,
    )
    browser = requests.Session()
    to = browser.get(fed.authorize_url(identity_provider="Corp"), allow_redirects=False, timeout=10).headers["Location"]
    answer = fed.provider.sign_in(to, ACCOUNT["username"], ACCOUNT["password"])
    signed_in = browser.post(fed.acs, data={"SAMLResponse": answer["SAMLResponse"], "RelayState": answer["RelayState"]}, allow_redirects=False, timeout=15)
    assert signed_in.headers["Location"].startswith(CALLBACK)
    # The single sign-on session covers the next authorization, for a federated user too.
    again = browser.get(fed.authorize_url(), allow_redirects=False, timeout=10)
    assert again.status_code == 302 and again.headers["Location"].startswith(CALLBACK), again.headers.get("Location")

    logout = browser.get(f"{fed.base}/logout?{urllib.parse.urlencode({'client_id': fed.client['ClientId'], 'logout_uri': SIGNED_OUT})}", allow_redirects=False, timeout=10)
    to_idp = logout.headers["Location"]
    assert to_idp.startswith(f"{fed.provider.base}/slo?") and "SigAlg=" in to_idp and "Signature=" in to_idp
    back = fed.provider.logout(to_idp)
    seen = fed.provider.last_logout()
    assert seen["name_id"] == ACCOUNT["name_id"] and seen["issuer"] == fed.entity_id and seen["session_index"]
    assert back["action"] == f"{fed.base}/saml2/logout"
    done = browser.post(back["action"], data={"SAMLResponse": back["SAMLResponse"], "RelayState": back["RelayState"]}, allow_redirects=False, timeout=15)
    assert done.status_code == 302 and done.headers["Location"] == SIGNED_OUT, done.text[:400]
    after = browser.get(fed.authorize_url(), allow_redirects=False, timeout=10)
    assert "/login?" in after.headers["Location"], "the session is over"
    replay = browser.post(back["action"], data={"SAMLResponse": back["SAMLResponse"], "RelayState": back["RelayState"]}, allow_redirects=False, timeout=15)
    refused(replay, "already finished")
    forged = requests.post(back["action"], data={"SAMLRequest": "x"}, allow_redirects=False, timeout=10)
    refused(forged, "not supported")


def test_single_logout_needs_the_providers_logout_endpoint(idp, fed):
    metadata = fed.provider.metadata()
    without = re.sub(r"<(\w+:)?SingleLogoutService\b[^>]*?(/>|>.*?</(\w+:)?SingleLogoutService>)", "", metadata, flags=re.S)
    assert "SingleLogoutService" not in without
    with pytest.raises(ClientError) as e:
        idp.create_identity_provider(
            UserPoolId=fed.pool_id, ProviderName="NoSlo", ProviderType="SAML", ProviderDetails={"MetadataFile": without, "IDPSignout": "true"}
        )
    assert error_code(e.value) == "InvalidParameterException" and "SingleLogoutService" in e.value.response["Error"]["Message"]


def assertion_of(answer: dict) -> str:
    """The signed assertion of a response, cut out as sent (re-serialising would break its
    signature), with the namespace declarations it borrowed from the response, base64url."""
    xml = response_xml(answer)
    start = re.search(r"<(\w+:)?Assertion[\s>]", xml)
    prefix = start.group(1) or ""
    end = xml.index(f"</{prefix}Assertion>") + len(f"</{prefix}Assertion>")
    piece = xml[start.start():end]
    head_end = piece.index(">")
    head = piece[:head_end]
    for name, uri in re.findall(r'xmlns(?::(\w+))?="([^"]+)"', xml[: start.start()]):
        declaration = f'xmlns:{name}="{uri}"' if name else f'xmlns="{uri}"'
        if (f"xmlns:{name}=" if name else "xmlns=") not in head:
            head += f" {declaration}"
    return base64.urlsafe_b64encode((head + piece[head_end:]).encode()).decode().rstrip("=")


def test_a_providers_assertion_is_exchanged_for_the_pools_token(idp, anon_idp, server, make_pool, make_client, saml_idp):  # noqa: F811
    fed = SamlFederation(idp, server, make_pool, make_client, saml_idp)
    fed.provider.register_sp(entity_id=fed.entity_id, acs_url=fed.acs, want_signed_requests=False, encrypt=False, sign="assertion")
    backend = make_client(fed.pool_id, GenerateSecret=True, ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_IMPERSONATION"], AllowedOAuthScopes=["openid", "email"])
    token = assertion_of(fed.provider.sign_in(fed.start(), ACCOUNT["username"], ACCOUNT["password"]))

    def exchange(subject: str, **extra) -> dict:
        return anon_idp.get_derived_token(
            ClientId=backend["ClientId"], ClientSecret=backend["ClientSecret"], SubjectToken=subject, SubjectTokenType="SAML2", **extra
        )

    derived = exchange(token, SubjectTokenProviderName="Corp", RequestedTokenType="ID_TOKEN", Scopes=["openid", "email"])
    claims = jwt.decode(derived["IssuedToken"], options={"verify_signature": False})
    assert claims["cognito:username"] == "Corp_carol@corp.example" and claims["token_use"] == "id"
    assert claims["aud"] == backend["ClientId"] and claims["email"] == "carol@corp.example"
    assert derived["Scopes"] == ["openid", "email"]
    for extra, code in [
        ({"SubjectTokenProviderName": "Corp"}, "NotAuthorizedException"),  # an assertion is used once
        ({}, "InvalidParameterException"),
        ({"SubjectTokenProviderName": "Nobody"}, "ResourceNotFoundException"),
    ]:
        with pytest.raises(ClientError) as e:
            exchange(token, **extra)
        assert error_code(e.value) == code, (extra, e.value.response)
    # Re-signed by a key not in the metadata: refused.
    forged = assertion_of(fed.provider.sign_in(fed.start(), ACCOUNT["username"], ACCOUNT["password"], tamper="other_key"))
    with pytest.raises(ClientError) as e:
        exchange(forged, SubjectTokenProviderName="Corp")
    assert error_code(e.value) == "NotAuthorizedException" and "signature" in e.value.response["Error"]["Message"]
    # An ID token is not what a SAML provider issues.
    with pytest.raises(ClientError) as e:
        anon_idp.get_derived_token(
            ClientId=backend["ClientId"], ClientSecret=backend["ClientSecret"], SubjectToken="e30.e30.e30", SubjectTokenType="ID_TOKEN", SubjectTokenProviderName="Corp"
        )
    assert error_code(e.value) == "InvalidParameterException"
