"""Terms documents (CreateTerms and siblings): an app client's terms of use and privacy policy
as Cognito documents them, and the links the login pages' sign-up form shows, in the page's
language with `cognito:default` for the others, once the client has both documents."""

from __future__ import annotations

import re
import uuid


from conftest import refused
from login_pages import Browser, Page
from test_login_languages import sign_in_form, site  # noqa: F401 (the fixture)

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def create(idp, pool_id: str, client_id: str, name: str, links: dict) -> dict:
    return idp.create_terms(UserPoolId=pool_id, ClientId=client_id, TermsName=name, TermsSource="LINK", Enforcement="NONE", Links=links)["Terms"]


def test_terms_are_created_described_listed_changed_and_deleted(idp, app, make_client):
    pool_id, client_id = app.pool_id, app.client["ClientId"]
    links = {"cognito:default": "https://example.com/terms", "cognito:spanish": "https://example.com/es/terminos"}
    terms = create(idp, pool_id, client_id, "terms-of-use", links)
    assert UUID4.fullmatch(terms["TermsId"]), terms["TermsId"]
    assert (terms["UserPoolId"], terms["ClientId"], terms["TermsName"]) == (pool_id, client_id, "terms-of-use")
    assert (terms["TermsSource"], terms["Enforcement"], terms["Links"]) == ("LINK", "NONE", links)
    assert terms["CreationDate"] == terms["LastModifiedDate"]

    assert idp.describe_terms(UserPoolId=pool_id, TermsId=terms["TermsId"])["Terms"] == terms
    assert idp.describe_terms_by_client(UserPoolId=pool_id, ClientId=client_id, TermsName="terms-of-use")["Terms"] == terms
    privacy = create(idp, pool_id, client_id, "privacy-policy", {"cognito:default": "https://example.com/privacy"})
    other = create(idp, pool_id, make_client(pool_id)["ClientId"], "terms-of-use", {"cognito:default": "https://example.com/b"})

    listed = idp.list_terms(UserPoolId=pool_id)["Terms"]
    assert sorted(t["TermsId"] for t in listed) == sorted([terms["TermsId"], privacy["TermsId"], other["TermsId"]])
    assert all(set(t) == {"TermsId", "TermsName", "Enforcement", "CreationDate", "LastModifiedDate"} for t in listed)
    first = idp.list_terms(UserPoolId=pool_id, MaxResults=2)
    rest = idp.list_terms(UserPoolId=pool_id, MaxResults=2, NextToken=first["NextToken"])
    assert [t["TermsId"] for t in first["Terms"] + rest["Terms"]] == [t["TermsId"] for t in listed] and "NextToken" not in rest

    changed = idp.update_terms(UserPoolId=pool_id, TermsId=terms["TermsId"], Links={"cognito:default": "https://example.com/terms-v2"})["Terms"]
    assert changed["Links"] == {"cognito:default": "https://example.com/terms-v2"} and changed["TermsName"] == "terms-of-use"
    assert changed["LastModifiedDate"] >= terms["LastModifiedDate"] and changed["CreationDate"] == terms["CreationDate"]
    code, _ = refused(lambda: idp.update_terms(UserPoolId=pool_id, TermsId=terms["TermsId"], TermsName="privacy-policy"))
    assert code == "TermsExistsException", "a client has one document of each kind"

    idp.delete_terms(UserPoolId=pool_id, TermsId=terms["TermsId"])
    assert refused(lambda: idp.describe_terms(UserPoolId=pool_id, TermsId=terms["TermsId"]))[0] == "ResourceNotFoundException"
    assert refused(lambda: idp.delete_terms(UserPoolId=pool_id, TermsId=terms["TermsId"]))[0] == "ResourceNotFoundException"
    renamed = idp.update_terms(UserPoolId=pool_id, TermsId=privacy["TermsId"], TermsName="terms-of-use")["Terms"]
    assert renamed["TermsName"] == "terms-of-use" and renamed["Links"] == privacy["Links"]


def test_terms_refuse_what_cognito_refuses(idp, app, make_pool, make_client):
    pool_id, client_id = app.pool_id, app.client["ClientId"]
    good = {"cognito:default": "https://example.com/terms"}
    create(idp, pool_id, client_id, "terms-of-use", good)
    assert refused(lambda: create(idp, pool_id, client_id, "terms-of-use", good))[0] == "TermsExistsException"
    for name, links in [
        ("terms-of-service", good),
        ("privacy-policy", {"en": "https://example.com"}),
        ("privacy-policy", {"cognito:klingon": "https://example.com"}),
        ("privacy-policy", {"cognito:default": "javascript:alert(document.cookie)"}),
        ("privacy-policy", {"cognito:default": "not a url"}),
    ]:
        assert refused(lambda: create(idp, pool_id, client_id, name, links))[0] == "InvalidParameterException", (name, links)
    assert refused(lambda: idp.create_terms(UserPoolId=pool_id, ClientId=client_id, TermsName="privacy-policy", TermsSource="LINK", Enforcement="NONE"))[0] == "InvalidParameterException", "links are needed"

    stranger = make_client(make_pool()["Id"])["ClientId"]
    assert refused(lambda: create(idp, pool_id, stranger, "privacy-policy", good))[0] == "ResourceNotFoundException", "another pool's client"
    assert refused(lambda: create(idp, "us-east-1_Nope0000", client_id, "privacy-policy", good))[0] == "ResourceNotFoundException"
    missing = str(uuid.uuid4())
    assert refused(lambda: idp.describe_terms(UserPoolId=pool_id, TermsId=missing))[0] == "ResourceNotFoundException"
    assert refused(lambda: idp.update_terms(UserPoolId=pool_id, TermsId=missing, Links=good))[0] == "ResourceNotFoundException"
    by_client = lambda name: idp.describe_terms_by_client(UserPoolId=pool_id, ClientId=client_id, TermsName=name)  # noqa: E731
    assert refused(lambda: by_client("privacy-policy"))[0] == "ResourceNotFoundException"

    # A client's terms go with it.
    terms_id = by_client("terms-of-use")["Terms"]["TermsId"]
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert refused(lambda: idp.describe_terms(UserPoolId=pool_id, TermsId=terms_id))[0] == "ResourceNotFoundException"


def sign_up_form(site, server, **params) -> Page:
    browser = Browser(server.endpoint)
    form = sign_in_form(site, browser, **params)
    sign_up = next(text for text, href in form.links.items() if href.startswith("signup?"))
    page = browser.follow_link(form, sign_up)
    assert isinstance(page, Page) and page.status == 200, page
    return page


def test_the_sign_up_page_links_both_documents_in_its_language(idp, site, server):  # noqa: F811
    pool_id, client_id = site.pool_id, site.client["ClientId"]
    create(idp, pool_id, client_id, "terms-of-use", {"cognito:default": "https://example.com/terms", "cognito:spanish": "https://example.com/es/terminos"})
    page = sign_up_form(site, server)
    assert "Terms of use" not in page.links, "Cognito shows terms once the client has both documents"

    create(idp, pool_id, client_id, "privacy-policy", {"cognito:default": "https://example.com/privacy"})
    page = sign_up_form(site, server)
    assert page.links["Terms of use"] == "https://example.com/terms"
    assert page.links["Privacy policy"] == "https://example.com/privacy"
    assert re.search(r'<a href="https://example.com/terms" target="_blank" rel="noopener noreferrer">', page.html)

    # In Spanish: the Spanish terms of use, and the default privacy policy (it has no Spanish one).
    page = sign_up_form(site, server, lang="es")
    assert page.links["Términos de uso"] == "https://example.com/es/terminos"
    assert page.links["Política de privacidad"] == "https://example.com/privacy"
