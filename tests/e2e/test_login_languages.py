"""The login pages in the language `lang` asks for, as Cognito's managed login (version 2)
pages are: its languages by their codes, remembered in a cookie, English for a code it does
not know; a classic hosted UI (version 1) domain stays in English whatever it is asked."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from login_pages import Browser, Page
from test_login_pages import CALLBACK, Site

LANG_COOKIE = "pooldesk-lang"


@pytest.fixture
def site(idp, server, make_pool, make_client):
    s = Site(idp, server, make_pool, make_client)
    idp.update_user_pool_domain(Domain=s.domain, UserPoolId=s.pool_id, ManagedLoginVersion=2)
    idp.create_managed_login_branding(UserPoolId=s.pool_id, ClientId=s.client["ClientId"], UseCognitoProvidedValues=True)
    return s


def sign_in_form(site: Site, browser: Browser, **params) -> Page:
    page = browser.get(site.authorize_url(site.oauth(), **params)[0])
    assert isinstance(page, Page) and page.status == 200, page
    return page


def html_lang(page: Page) -> str:
    found = re.search(r'<html lang="([^"]*)"', page.html)
    assert found, page.html[:300]
    return found.group(1)


def test_a_managed_login_domain_speaks_french_through_the_flow(site, server, make_user):
    make_user(site.pool_id, "amelie")
    browser = Browser(server.endpoint)
    form = sign_in_form(site, browser, lang="fr")
    assert html_lang(form) == "fr"
    assert form.title == "Se connecter"
    assert form.label_of("username") == "Nom d'utilisateur" and form.label_of("password") == "Mot de passe"
    assert form.form.buttons == ["Se connecter"]
    assert "Mot de passe oublié ?" in form.links and "S'inscrire" in form.links
    assert browser.session.cookies.get(LANG_COOKIE) == "fr", "the choice is remembered, as Cognito does"

    # The pages carry the request along, and its lang with it.
    forgot = browser.follow_link(form, "Mot de passe oublié ?")
    assert isinstance(forgot, Page) and html_lang(forgot) == "fr"
    assert forgot.title == "Mot de passe oublié ?" and forgot.form.buttons == ["Envoyer le code"]
    assert "Retour à la connexion" in forgot.links

    # A wrong password: the page again, in French (the error itself is Cognito's, in English).
    again = browser.submit(form, username="amelie", password="not-the-password-1A!")
    assert isinstance(again, Page) and again.title == "Se connecter" and again.errors, again
    back = browser.submit(again, username="amelie", password=PASSWORD)
    assert isinstance(back, str) and back.startswith(CALLBACK + "?"), back


def test_japanese_and_a_code_in_any_case(site, server):
    ja = sign_in_form(site, Browser(server.endpoint), lang="ja")
    assert html_lang(ja) == "ja" and ja.title == "サインイン"
    assert ja.label_of("username") == "ユーザー名" and ja.label_of("password") == "パスワード"
    assert ja.form.buttons == ["サインイン"] and "パスワードをお忘れですか?" in ja.links

    pt = sign_in_form(site, Browser(server.endpoint), lang="pt-br")
    assert html_lang(pt) == "pt-BR" and pt.title == "Fazer login"
    zh = sign_in_form(site, Browser(server.endpoint), lang="zh-TW")
    assert html_lang(zh) == "zh-TW" and zh.title == "登入"


def test_an_unknown_code_leaves_the_pages_in_english(site, server):
    browser = Browser(server.endpoint)
    page = sign_in_form(site, browser, lang="xx")
    assert html_lang(page) == "en" and page.title == "Sign in" and page.form.buttons == ["Sign in"]
    assert browser.session.cookies.get(LANG_COOKIE) is None


def test_the_remembered_language_lasts_until_another_is_asked_for(site, server):
    browser = Browser(server.endpoint)
    assert sign_in_form(site, browser, lang="de").title == "Anmelden"
    later = sign_in_form(site, browser)
    assert html_lang(later) == "de" and later.title == "Anmelden", "no lang: the cookie's"
    english = sign_in_form(site, browser, lang="en")
    assert html_lang(english) == "en" and english.title == "Sign in"
    assert sign_in_form(site, browser).title == "Sign in"


def test_a_classic_domain_stays_in_english(idp, site, server):
    idp.update_user_pool_domain(Domain=site.domain, UserPoolId=site.pool_id, ManagedLoginVersion=1)
    browser = Browser(server.endpoint)
    page = sign_in_form(site, browser, lang="fr")
    assert html_lang(page) == "en" and page.title == "Sign in"
    assert page.label_of("username") == "Username" and page.form.buttons == ["Sign in"]
    assert browser.session.cookies.get(LANG_COOKIE) is None
