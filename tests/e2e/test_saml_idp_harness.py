"""The SAML identity provider the SAML federation tests sign in through (js/saml_idp.mjs) works on its own.

No PoolDesk here: the tests play the service provider (AuthnRequests and LogoutRequests built
and signed here with zlib and the openssl CLI) and check what comes back with the xmlsec1 CLI
(`apt-get install xmlsec1`), so a SAML federation test that fails points at PoolDesk, not at
its IdP."""

from __future__ import annotations

import base64
import datetime
import re
import secrets
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from saml_idp import cert_der_b64, make_key_cert, parse_form, response_xml, saml_idp  # noqa: F401 (a fixture)

NS = {
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "xenc": "http://www.w3.org/2001/04/xmlenc#",
}
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SP_ENTITY = "urn:amazon:cognito:sp:us-east-1_HarnessTest"
ACS_URL = "http://127.0.0.1:9/saml2/idpresponse"  # never fetched: the tests read the continue page
SLO_URL = "http://127.0.0.1:9/saml2/logout"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"

ALICE = {
    "username": "alice",
    "password": "Saml-Passw0rd!",
    "name_id": "alice-0001",
    "attributes": {
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "alice@idp.example",
        "given_name": "Alice & <Co>",
        "groups": ["admins", "readers"],
    },
}
BOB = {"username": "bob", "password": "Bob-Passw0rd!", "name_id": "bob@idp.example", "name_id_format": "email", "attributes": {}}


@pytest.fixture(scope="module", autouse=True)
def _xmlsec1():
    if shutil.which("xmlsec1") is None:
        pytest.fail("xmlsec1 is not installed (it checks the IdP's XML signatures): apt-get install xmlsec1")


# ---------------------------------------------------------------------------------------------
# The service provider's side, by hand
# ---------------------------------------------------------------------------------------------


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def authn_request(idp, request_id: str, issuer: str = SP_ENTITY, acs: str = ACS_URL) -> str:
    return (
        f'<samlp:AuthnRequest xmlns:samlp="{NS["samlp"]}" xmlns:saml="{NS["saml"]}" ID="{request_id}" Version="2.0" '
        f'IssueInstant="{now_iso()}" Destination="{idp.base}/sso" AssertionConsumerServiceURL="{acs}" '
        f'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">'
        f"<saml:Issuer>{issuer}</saml:Issuer>"
        f'<samlp:NameIDPolicy Format="{PERSISTENT}" AllowCreate="true"/></samlp:AuthnRequest>'
    )


def logout_request(idp, request_id: str, name_id: str, session_index: str, issuer: str = SP_ENTITY) -> str:
    return (
        f'<samlp:LogoutRequest xmlns:samlp="{NS["samlp"]}" xmlns:saml="{NS["saml"]}" ID="{request_id}" Version="2.0" '
        f'IssueInstant="{now_iso()}" Destination="{idp.base}/slo"><saml:Issuer>{issuer}</saml:Issuer>'
        f'<saml:NameID Format="{PERSISTENT}">{name_id}</saml:NameID>'
        f"<samlp:SessionIndex>{session_index}</samlp:SessionIndex></samlp:LogoutRequest>"
    )


def redirect_url(endpoint: str, xml: str, relay_state: str, key_path: Path | None = None) -> str:
    """The HTTP-Redirect binding: deflate (raw), base64, URL-encode; signed over
    SAMLRequest=..&RelayState=..&SigAlg=.. with `openssl dgst -sha256 -sign` when a key is given."""
    deflate = zlib.compressobj(wbits=-15)
    raw = deflate.compress(xml.encode()) + deflate.flush()
    query = f"SAMLRequest={quote(base64.b64encode(raw).decode(), safe='')}&RelayState={quote(relay_state, safe='')}"
    if key_path is not None:
        query += f"&SigAlg={quote(RSA_SHA256, safe='')}"
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(key_path)], input=query.encode(), capture_output=True, check=True
        ).stdout
        query += f"&Signature={quote(base64.b64encode(signature).decode(), safe='')}"
    return f"{endpoint}?{query}"


def xmlsec_verify(tmp_path: Path, xml: str, cert_pem: str, signature_of: str | None = None) -> subprocess.CompletedProcess:
    """xmlsec1 --verify of one signature (of `signature_of`, a local element name: the first
    signature when None) with the key of `cert_pem` only (KeyInfo's certificate ignored)."""
    name = secrets.token_hex(4)
    doc, cert = tmp_path / f"doc-{name}.xml", tmp_path / f"cert-{name}.pem"
    doc.write_text(xml)
    cert.write_text(cert_pem)
    args = ["xmlsec1", "--verify", "--enabled-key-data", "key-name", "--pubkey-cert-pem", str(cert),
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:LogoutResponse"]
    if signature_of:
        args += ["--node-xpath", f"//*[local-name()='{signature_of}']/*[local-name()='Signature']"]
    return subprocess.run([*args, str(doc)], capture_output=True, text=True)


def assert_verifies(tmp_path, xml, cert_pem, signature_of=None):
    result = xmlsec_verify(tmp_path, xml, cert_pem, signature_of)
    assert result.returncode == 0, f"xmlsec1 refused the signature of {signature_of}: {result.stderr}\n{xml}"


def parse_time(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def signatures(root: ET.Element) -> dict[str, bool]:
    assertion = root.find("saml:Assertion", NS)
    return {
        "response": root.find("ds:Signature", NS) is not None,
        "assertion": assertion is not None and assertion.find("ds:Signature", NS) is not None,
    }


def sp_key(tmp_path: Path, name: str = "sp") -> tuple[Path, str]:
    _key, cert = make_key_cert(tmp_path, name)
    return tmp_path / f"{name}.key", cert


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_metadata_names_the_endpoints_and_the_signing_certificate(saml_idp):  # noqa: F811 (the fixture)
    idp = saml_idp([ALICE])
    root = ET.fromstring(idp.metadata())
    assert root.tag == f"{{{NS['md']}}}EntityDescriptor"
    assert root.get("entityID") == idp.metadata_url == f"{idp.base}/metadata"
    descriptor = root.find("md:IDPSSODescriptor", NS)
    assert descriptor is not None
    assert "urn:oasis:names:tc:SAML:2.0:protocol" in descriptor.get("protocolSupportEnumeration")
    assert descriptor.get("WantAuthnRequestsSigned") == "false"
    sso = descriptor.findall("md:SingleSignOnService", NS)
    assert [(s.get("Binding"), s.get("Location")) for s in sso] == [(REDIRECT, f"{idp.base}/sso")]
    slo = descriptor.findall("md:SingleLogoutService", NS)
    assert [(s.get("Binding"), s.get("Location")) for s in slo] == [(REDIRECT, f"{idp.base}/slo")]
    keys = descriptor.findall("md:KeyDescriptor", NS)
    assert [k.get("use") for k in keys] == ["signing"]
    cert = keys[0].find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS).text
    assert "".join(cert.split()) == cert_der_b64(idp.cert_pem)
    formats = {f.text for f in descriptor.findall("md:NameIDFormat", NS)}
    assert formats == {PERSISTENT, EMAIL_FORMAT, "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"}


def test_signed_requests_are_required_when_the_sp_wants_them(saml_idp, tmp_path):  # noqa: F811
    idp = saml_idp([ALICE])
    key_path, cert = sp_key(tmp_path)
    idp.register_sp(entity_id=SP_ENTITY, acs_url=ACS_URL, signing_cert=cert_der_b64(cert), want_signed_requests=True)
    assert 'WantAuthnRequestsSigned="true"' in idp.metadata()

    unsigned = requests.get(redirect_url(f"{idp.base}/sso", authn_request(idp, "_req-unsigned"), "rs-1"), timeout=30)
    assert unsigned.status_code == 400, f"{unsigned.status_code} {unsigned.text[:300]}\n{idp.log()}"
    assert "no Signature" in unsigned.text

    other_key, _ = sp_key(tmp_path, "not-the-sp")
    forged = requests.get(redirect_url(f"{idp.base}/sso", authn_request(idp, "_req-forged"), "rs-1", other_key), timeout=30)
    assert forged.status_code == 400, f"{forged.status_code} {forged.text[:300]}\n{idp.log()}"
    assert "does not verify" in forged.text

    # The signature covers the RelayState too.
    url = redirect_url(f"{idp.base}/sso", authn_request(idp, "_req-relay"), "rs-1", key_path)
    moved = requests.get(url.replace("RelayState=rs-1", "RelayState=rs-2"), timeout=30)
    assert moved.status_code == 400, f"{moved.status_code} {moved.text[:300]}"

    assert idp.last_request() is None
    form = requests.get(redirect_url(f"{idp.base}/sso", authn_request(idp, "_req-signed"), "rs / 1", key_path), timeout=30)
    assert form.status_code == 200, f"{form.status_code} {form.text[:300]}\n{idp.log()}"
    assert "<title>SAML IdP sign in</title>" in form.text
    action, fields = parse_form(form.text)
    assert action == "/login"
    assert fields == {"request_id": "_req-signed", "sp": SP_ENTITY, "relay_state": "rs / 1", "username": "", "password": ""}
    assert idp.last_request() == {"id": "_req-signed", "issuer": SP_ENTITY, "acs_url": ACS_URL, "signed": True, "relay_state": "rs / 1"}


def test_unknown_sp_and_wrong_password(saml_idp):  # noqa: F811
    idp = saml_idp([ALICE])
    unknown = requests.get(redirect_url(f"{idp.base}/sso", authn_request(idp, "_r1", issuer="urn:nobody"), ""), timeout=30)
    assert unknown.status_code == 400 and "unknown service provider urn:nobody" in unknown.text

    idp.register_sp(entity_id=SP_ENTITY, acs_url=ACS_URL, want_signed_requests=False)
    # samlify validates against the SAML schemas: an AuthnRequest without IssueInstant is refused.
    invalid = re.sub(r' IssueInstant="[^"]*"', "", authn_request(idp, "_r0"))
    refused = requests.get(redirect_url(f"{idp.base}/sso", invalid, ""), timeout=30)
    assert refused.status_code == 400 and "ERR_INVALID_XML" in refused.text, f"{refused.status_code} {refused.text}"
    wrong_acs = requests.get(redirect_url(f"{idp.base}/sso", authn_request(idp, "_r1", acs="http://127.0.0.1:9/other"), ""), timeout=30)
    assert wrong_acs.status_code == 400 and "is not the registered acs_url" in wrong_acs.text

    browser = requests.Session()
    form = browser.get(redirect_url(f"{idp.base}/sso", authn_request(idp, "_r2"), "rs"), timeout=30)
    assert form.status_code == 200, form.text
    assert idp.last_request()["signed"] is False
    _, fields = parse_form(form.text)
    again = browser.post(f"{idp.base}/login", data={**fields, "username": "alice", "password": "wrong"}, timeout=30)
    assert again.status_code == 200
    assert "<title>SAML IdP sign in</title>" in again.text and "Wrong username or password" in again.text
    assert "SAMLResponse" not in again.text


def test_sp_initiated_sign_in_yields_a_signed_response_with_the_account(saml_idp, tmp_path):  # noqa: F811
    idp = saml_idp([ALICE, BOB])
    idp.register_sp(entity_id=SP_ENTITY, acs_url=ACS_URL, slo_url=SLO_URL, want_signed_requests=False)
    url = redirect_url(f"{idp.base}/sso", authn_request(idp, "_req-0001"), "state&more")
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
    answer = idp.sign_in(url, "alice", ALICE["password"])
    assert answer["action"] == ACS_URL
    assert answer["RelayState"] == "state&more"
    xml = response_xml(answer)

    # Signed twice by default (sign "both"), each verifying with the IdP's certificate alone.
    root = ET.fromstring(xml)
    assert signatures(root) == {"response": True, "assertion": True}
    assert_verifies(tmp_path, xml, idp.cert_pem, "Response")
    assert_verifies(tmp_path, xml, idp.cert_pem, "Assertion")
    tampered = xml.replace("alice-0001", "alice-0002")
    assert xmlsec_verify(tmp_path, tampered, idp.cert_pem, "Assertion").returncode != 0

    assert root.get("Destination") == ACS_URL
    assert root.get("InResponseTo") == "_req-0001"
    assert root.find("saml:Issuer", NS).text == idp.metadata_url
    assert root.find("samlp:Status/samlp:StatusCode", NS).get("Value") == "urn:oasis:names:tc:SAML:2.0:status:Success"
    assertion = root.find("saml:Assertion", NS)
    assert assertion.find("saml:Issuer", NS).text == idp.metadata_url
    name_id = assertion.find("saml:Subject/saml:NameID", NS)
    assert (name_id.text, name_id.get("Format")) == ("alice-0001", PERSISTENT)
    confirmation = assertion.find("saml:Subject/saml:SubjectConfirmation", NS)
    assert confirmation.get("Method") == "urn:oasis:names:tc:SAML:2.0:cm:bearer"
    data = confirmation.find("saml:SubjectConfirmationData", NS)
    assert data.get("Recipient") == ACS_URL
    assert data.get("InResponseTo") == "_req-0001"
    conditions = assertion.find("saml:Conditions", NS)
    not_before, not_after = parse_time(conditions.get("NotBefore")), parse_time(conditions.get("NotOnOrAfter"))
    assert before <= not_before < not_after
    assert datetime.timedelta(minutes=4) < not_after - not_before <= datetime.timedelta(minutes=10)
    assert parse_time(data.get("NotOnOrAfter")) == not_after
    assert [a.text for a in conditions.findall("saml:AudienceRestriction/saml:Audience", NS)] == [SP_ENTITY]
    authn = assertion.find("saml:AuthnStatement", NS)
    assert authn is not None and authn.get("SessionIndex", "").startswith("_")
    assert authn.find("saml:AuthnContext/saml:AuthnContextClassRef", NS).text.endswith(":PasswordProtectedTransport")
    attributes = {
        a.get("Name"): [v.text for v in a.findall("saml:AttributeValue", NS)]
        for a in assertion.findall("saml:AttributeStatement/saml:Attribute", NS)
    }
    assert attributes == {
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ["alice@idp.example"],
        "given_name": ["Alice & <Co>"],
        "groups": ["admins", "readers"],
    }

    # A second sign-in is a new session; an account without attributes has no AttributeStatement.
    bob = ET.fromstring(response_xml(idp.sign_in(redirect_url(f"{idp.base}/sso", authn_request(idp, "_req-0002"), ""), "bob", BOB["password"])))
    bob_assertion = bob.find("saml:Assertion", NS)
    bob_name_id = bob_assertion.find("saml:Subject/saml:NameID", NS)
    assert (bob_name_id.text, bob_name_id.get("Format")) == ("bob@idp.example", EMAIL_FORMAT)
    assert bob_assertion.find("saml:AttributeStatement", NS) is None
    assert bob_assertion.find("saml:AuthnStatement", NS).get("SessionIndex") != authn.get("SessionIndex")


@pytest.mark.parametrize("sign", ["assertion", "response"])
def test_the_sp_chooses_what_is_signed(saml_idp, tmp_path, sign):  # noqa: F811
    idp = saml_idp([ALICE])
    idp.register_sp(entity_id=SP_ENTITY, acs_url=ACS_URL, want_signed_requests=False, sign=sign)
    xml = response_xml(idp.idp_initiated(SP_ENTITY, "alice"))
    assert signatures(ET.fromstring(xml)) == {"response": sign == "response", "assertion": sign == "assertion"}
    assert_verifies(tmp_path, xml, idp.cert_pem, sign.capitalize())


def test_idp_initiated_has_no_in_response_to(saml_idp, tmp_path):  # noqa: F811
    idp = saml_idp([ALICE])
    idp.register_sp(entity_id=SP_ENTITY, acs_url=ACS_URL, want_signed_requests=False)
    answer = idp.idp_initiated(SP_ENTITY, "alice", relay_state="deep/link")
    assert (answer["action"], answer["RelayState"]) == (ACS_URL, "deep/link")
    xml = response_xml(answer)
    assert "InResponseTo" not in xml
    root = ET.fromstring(xml)
    assert root.find("saml:Assertion/saml:Subject/saml:NameID", NS).text == "alice-0001"
    assert_verifies(tmp_path, xml, idp.cert_pem, "Assertion")


def test_tampers(saml_idp, tmp_path):  # noqa: F811
    idp = saml_idp([ALICE])
    idp.register_sp(entity_id=SP_ENTITY, acs_url=ACS_URL, want_signed_requests=False)
    now = datetime.datetime.now(datetime.timezone.utc)

    expired = response_xml(idp.sign_in(redirect_url(f"{idp.base}/sso", authn_request(idp, "_t1"), ""), "alice", ALICE["password"], tamper="expired"))
    assertion = ET.fromstring(expired).find("saml:Assertion", NS)
    conditions = assertion.find("saml:Conditions", NS)
    assert parse_time(conditions.get("NotOnOrAfter")) < now
    assert parse_time(conditions.get("NotBefore")) < parse_time(conditions.get("NotOnOrAfter"))
    assert parse_time(assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS).get("NotOnOrAfter")) < now
    assert_verifies(tmp_path, expired, idp.cert_pem, "Assertion")
    assert_verifies(tmp_path, expired, idp.cert_pem, "Response")

    wrong_audience = response_xml(idp.idp_initiated(SP_ENTITY, "alice", tamper="audience=urn:amazon:cognito:sp:someone-else"))
    audiences = [a.text for a in ET.fromstring(wrong_audience).findall(".//saml:Audience", NS)]
    assert audiences == ["urn:amazon:cognito:sp:someone-else"]
    assert_verifies(tmp_path, wrong_audience, idp.cert_pem, "Assertion")

    unsigned = response_xml(idp.idp_initiated(SP_ENTITY, "alice", tamper="unsigned"))
    assert f"{{{NS['ds']}}}Signature" not in {e.tag for e in ET.fromstring(unsigned).iter()}
    assert ET.fromstring(unsigned).find("saml:Assertion/saml:Subject/saml:NameID", NS).text == "alice-0001"

    other = response_xml(idp.idp_initiated(SP_ENTITY, "alice", tamper="other_key"))
    assert signatures(ET.fromstring(other)) == {"response": True, "assertion": True}
    for part in ("Assertion", "Response"):
        assert xmlsec_verify(tmp_path, other, idp.cert_pem, part).returncode != 0, f"the {part} verified with the IdP's key"
        assert_verifies(tmp_path, other, idp.other_cert_pem, part)

    recipient = response_xml(idp.idp_initiated(SP_ENTITY, "alice", tamper="recipient=http://127.0.0.1:9/elsewhere"))
    assert 'Recipient="http://127.0.0.1:9/elsewhere"' in recipient

    bad = requests.get(f"{idp.base}/idp-init", params={"sp": SP_ENTITY, "username": "alice", "tamper": "nonsense"}, timeout=30)
    assert bad.status_code == 400 and "unknown tamper" in bad.text


@pytest.mark.parametrize(
    ("data_encryption", "data_uri"),
    [
        (None, "http://www.w3.org/2001/04/xmlenc#aes256-cbc"),
        ("aes128-gcm", "http://www.w3.org/2009/xmlenc11#aes128-gcm"),
    ],
)
def test_encrypted_assertion(saml_idp, tmp_path, data_encryption, data_uri):  # noqa: F811
    idp = saml_idp([ALICE])
    key_path, cert = sp_key(tmp_path, "sp-enc")
    fields = {"entity_id": SP_ENTITY, "acs_url": ACS_URL, "want_signed_requests": False,
              "encryption_cert": cert_der_b64(cert), "encrypt": True}
    if data_encryption:
        fields["data_encryption"] = data_encryption
    idp.register_sp(**fields)
    xml = response_xml(idp.sign_in(redirect_url(f"{idp.base}/sso", authn_request(idp, "_e1"), "rs"), "alice", ALICE["password"]))
    root = ET.fromstring(xml)
    assert root.find("saml:Assertion", NS) is None
    encrypted = root.find("saml:EncryptedAssertion", NS)
    assert encrypted is not None, xml
    data = encrypted.find("xenc:EncryptedData", NS)
    assert data.find("xenc:EncryptionMethod", NS).get("Algorithm") == data_uri
    key_methods = [m.get("Algorithm") for m in encrypted.iter(f"{{{NS['xenc']}}}EncryptionMethod") if m is not data.find("xenc:EncryptionMethod", NS)]
    assert key_methods == ["http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"]
    assert "alice-0001" not in xml
    # The response is signed after encryption, so its signature covers the EncryptedAssertion.
    assert_verifies(tmp_path, xml, idp.cert_pem, "Response")

    # The SP's key opens it: the signed assertion with the account inside.
    doc = tmp_path / "encrypted.xml"
    doc.write_text(xml)
    result = subprocess.run(["xmlsec1", "--decrypt", "--privkey-pem", str(key_path), str(doc)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "<saml:NameID" in result.stdout and "alice-0001" in result.stdout
    assert "ds:Signature" in result.stdout


def test_single_logout(saml_idp, tmp_path):  # noqa: F811
    idp = saml_idp([ALICE])
    key_path, cert = sp_key(tmp_path)
    idp.register_sp(entity_id=SP_ENTITY, acs_url=ACS_URL, slo_url=SLO_URL, signing_cert=cert_der_b64(cert), want_signed_requests=True)
    assert idp.last_logout() is None

    unsigned = requests.get(redirect_url(f"{idp.base}/slo", logout_request(idp, "_lo0", "alice-0001", "_s1"), "bye"), timeout=30)
    assert unsigned.status_code == 400 and "no Signature" in unsigned.text

    answer = idp.logout(redirect_url(f"{idp.base}/slo", logout_request(idp, "_lo1", "alice-0001", "_session-1"), "bye", key_path))
    assert (answer["action"], answer["RelayState"]) == (SLO_URL, "bye")
    assert idp.last_logout() == {"id": "_lo1", "name_id": "alice-0001", "session_index": "_session-1", "issuer": SP_ENTITY, "relay_state": "bye"}
    xml = response_xml(answer)
    root = ET.fromstring(xml)
    assert root.tag == f"{{{NS['samlp']}}}LogoutResponse"
    assert root.get("InResponseTo") == "_lo1"
    assert root.get("Destination") == SLO_URL
    assert root.find("samlp:Status/samlp:StatusCode", NS).get("Value") == "urn:oasis:names:tc:SAML:2.0:status:Success"
    assert_verifies(tmp_path, xml, idp.cert_pem, "LogoutResponse")


def test_stops_cleanly_on_sigterm(saml_idp):  # noqa: F811
    idp = saml_idp([ALICE])
    assert requests.get(f"{idp.base}/last-request", timeout=30).json() is None
    assert idp.stop() == 0
