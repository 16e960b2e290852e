"""A browser without JavaScript for the managed login pages: it keeps cookies, follows
redirects while they stay on the server, reads each page's form (fields, hidden inputs,
action) and submits it as a browser would. The pages work without JavaScript, so this is how
a browser with scripts turned off uses them.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

import requests


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # input id -> label text
    buttons: list[str] = field(default_factory=list)
    radios: dict[str, list[str]] = field(default_factory=dict)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.title = ""
        self.errors: list[str] = []
        self.notices: list[str] = []
        self._in: list[str] = []
        self._label_for: str | None = None
        self._text: list[str] = []
        self.texts: dict[str, str] = {}
        self.links: dict[str, str] = {}  # link text -> href
        self._href = ""
        self._id: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get").lower()))
        elif tag == "input" and self.forms:
            form = self.forms[-1]
            name = a.get("name")
            if not name:
                return
            if a.get("type") == "radio":
                form.radios.setdefault(name, []).append(a.get("value", ""))
                if "checked" in a:
                    form.fields[name] = a.get("value", "")
            else:
                form.fields[name] = a.get("value", "") or ""
        elif tag == "label":
            self._label_for = a.get("for")
            self._text = []
        elif tag in ("title", "button", "a") or (tag == "p" and self._kind(a)) or a.get("id"):
            self._in.append(tag)
            self._id = a.get("id")
            self._text = []
            if tag == "p" and self._kind(a):
                self._in[-1] = self._kind(a)
            if tag == "a":
                self._href = a.get("href", "")

    @staticmethod
    def _kind(attrs: dict) -> str | None:
        """`error` or `notice` for a paragraph with that class."""
        classes = (attrs.get("class") or "").split()
        return next((c for c in ("error", "notice") if c in classes), None)

    def handle_data(self, data):
        self._text.append(data)

    def handle_endtag(self, tag):
        text = "".join(self._text).strip()
        if tag == "label" and self._label_for and self.forms:
            self.forms[-1].labels[self._label_for] = text
            self._label_for = None
        elif self._in and (self._in[-1] == tag or (self._in[-1] in ("error", "notice") and tag == "p")):
            kind = self._in.pop()
            if kind == "title":
                self.title = text
            elif kind == "button" and self.forms:
                self.forms[-1].buttons.append(text)
            elif kind == "error":
                self.errors.append(text)
            elif kind == "notice":
                self.notices.append(text)
            elif kind == "a":
                self.links[text] = self._href
            if self._id:
                self.texts[self._id] = text
                self._id = None


@dataclass
class Page:
    url: str
    status: int
    html: str
    title: str
    forms: list[Form]
    errors: list[str]
    notices: list[str]
    links: dict[str, str]
    texts: dict[str, str]
    headers: dict

    @property
    def form(self) -> Form:
        assert self.forms, f"no form on {self.url} ({self.status}): {self.html[:400]}"
        return self.forms[0]

    def label_of(self, name: str) -> str:
        return self.form.labels.get(name, "")


class Browser:
    """Cookies and redirects as a browser keeps them, for one server."""

    def __init__(self, server_endpoint: str, verify: str | bool = True) -> None:
        self.origin = server_endpoint.rstrip("/")
        self.session = requests.Session()
        # Per request: a session's own setting loses to REQUESTS_CA_BUNDLE in the environment.
        self.verify = verify
        self.left_to: str | None = None  # the last redirect that left the server

    def _page(self, resp: requests.Response) -> Page:
        parser = _PageParser()
        parser.feed(resp.text)
        return Page(
            resp.url, resp.status_code, resp.text, parser.title, parser.forms, parser.errors, parser.notices, parser.links, parser.texts, resp.headers
        )

    def _follow(self, resp: requests.Response) -> Page | str:
        """Follows redirects on the server; a redirect elsewhere is returned as its URL."""
        while resp.status_code in (301, 302, 303, 307):
            location = urllib.parse.urljoin(resp.url, resp.headers["Location"])
            if not location.startswith(self.origin + "/"):
                self.left_to = location
                return location
            resp = self.session.get(location, allow_redirects=False, timeout=15, verify=self.verify)
        return self._page(resp)

    def get(self, url: str) -> Page | str:
        return self._follow(self.session.get(url, allow_redirects=False, timeout=15, verify=self.verify))

    def follow_link(self, page: Page, text: str) -> Page | str:
        assert text in page.links, f"no link {text!r} on {page.url}: {page.links}"
        return self.get(urllib.parse.urljoin(page.url, page.links[text]))

    def submit(self, page: Page, form_index: int = 0, **values: str) -> Page | str:
        form = page.forms[form_index]
        data = dict(form.fields)
        data.update(values)
        action = urllib.parse.urljoin(page.url, form.action)
        assert form.method == "post"
        return self._follow(self.session.post(action, data=data, allow_redirects=False, timeout=15, verify=self.verify))

    def sign_in(self, authorize_url: str, username: str, password: str) -> Page | str:
        page = self.get(authorize_url)
        assert isinstance(page, Page), f"expected the sign-in form, went to {page}"
        return self.submit(page, username=username, password=password)


def query_of(url: str) -> dict[str, str]:
    parsed = urllib.parse.urlsplit(url)
    return dict(urllib.parse.parse_qsl(parsed.query))


def fragment_of(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).fragment))
