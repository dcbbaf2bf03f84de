"""Where text meets markup: one policy for every page of the report.

Data stays plain text all the way through the pipeline and is escaped where it
meets markup, and nowhere else:

- in HTML (tables, captions, notes, alt text): `html.escape` in `tables.py` and `charts.py`;
- in a Markdown sentence of a chapter: `md_text`, which escapes for Markdown and so
  for the HTML it becomes;
- a website from the data becomes a link only as an http(s) address or a bare domain
  (`web_href`, `md_link`); anything else is refused as a data error.

Text that may carry markup, the prose pages (`data/<year>/tekst/*.md`) and
`index.qmd`, is rendered and then cleaned by nh3 with an allow-list of what
Markdown itself produces (`clean_prose`). Every chapter body is cleaned once more
by the renderer (`clean_body`), with an allow-list of our own output: no script,
no event handler and no javascript: address can reach a published page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import nh3

from .errors import JaarverslagError, Kind

if TYPE_CHECKING:
    import mistune

# ---- data text in Markdown -----------------------------------------------------

# Characters that start Markdown (CommonMark and Pandoc's extensions: math, citations,
# attributes, sub/superscript) or HTML (tags, entities). Backslash-escaped, each shows as itself.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&!#|~^$@{}])")


def md_text(value: object) -> str:
    """Data text for a Markdown sentence: shown as written, never read as Markdown or HTML.
    Line breaks become spaces (a value is part of one sentence).

    >>> md_text("Twickel College")
    'Twickel College'
    >>> md_text("<img src=x onerror=alert(1)>")
    '\\\\<img src=x onerror=alert(1)\\\\>'
    >>> md_text("[klik](javascript:alert(1))")
    '\\\\[klik\\\\](javascript:alert(1))'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


# ---- links from data -------------------------------------------------------------

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = rf"(?:{_LABEL}\.)+[a-z]{{2,63}}"
# After the host: a path, query or fragment of characters that need no quoting anywhere.
_REST = r"(?:[/?#][a-z0-9\-._~/?#=&%+:@!,]*)?"
_BARE_ADDRESS = re.compile(rf"{_HOST}(?::\d{{1,5}})?{_REST}", re.I)
_WEB_ADDRESS = re.compile(rf"https?://{_HOST}(?::\d{{1,5}})?{_REST}", re.I)


class LinkError(JaarverslagError):
    """A website in the data is no web address."""

    kind = Kind.DATA


def web_href(value: object) -> str | None:
    """The link for a website from the data: an http(s) address as given, a bare domain (with
    or without a path) as `http://domain` (as the report has always printed it); None for
    anything else. Accepts at least what the `website` kind of the data schema accepts.

    >>> web_href("www.wijkracht.nl"), web_href("https://wijkracht.nl/borne?x=1")
    ('http://www.wijkracht.nl', 'https://wijkracht.nl/borne?x=1')
    >>> [web_href(v) for v in ("javascript:alert(1)", "www.x.nl onclick=y", "ftp://x.nl", "x")]
    [None, None, None, None]
    """
    text = str(value).strip()
    if _BARE_ADDRESS.fullmatch(text):
        return f"http://{text}"
    if _WEB_ADDRESS.fullmatch(text):
        return text
    return None


def md_link(value: object, *, where: str) -> str:
    """A website from the data as a Markdown link, its text the website as written.
    `where` names the file for the error: anything but an http(s) address or a bare
    domain is refused (`LinkError`)."""
    href = web_href(value)
    if href is None:
        raise LinkError(
            f"{where}: website {str(value)!r} is geen webadres. Schrijf een domeinnaam "
            "(www.voorbeeld.nl) of een adres dat begint met http:// of https://."
        )
    return f"[{md_text(value)}]({href})"  # web_href lets no character through that ends a link


# ---- markup that is allowed: nh3 with an allow-list ------------------------------

# Removed with everything inside them, not only the tags.
_CLEAN_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea",
                  "select", "svg", "math"}

# What Markdown produces (mistune with the plugins of `_PLUGINS`: tables, strikethrough,
# definition lists, task lists), and highlighted code.
_MARKDOWN_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "div", "span",  # highlighted code: <div class="highlight"><pre><span class="n">
}
_MARKDOWN_ATTRIBUTES = {
    "*": {"id", "class", "title"},
    "a": {"href"},
    "img": {"src", "alt"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}

# The body of a chapter: Markdown, plus our own tables and charts (tables.py, charts.py,
# sections.py) and the scroll regions around tables.
_BODY_TAGS = _MARKDOWN_TAGS | {"caption", "figure", "figcaption", "section", "small", "sub", "sup",
                               "picture", "source"}  # a chart's narrow variant for phones (charts.py)
_BODY_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "role", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "source": {"srcset", "media"},
    "ol": {"start"},
    "div": {"tabindex"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
_STYLE_PROPERTIES = {"text-align", "margin-bottom"}

_LINK_SCHEMES = {"http", "https", "mailto"}
_IMAGE_DATA = re.compile(r"data:image/(?:svg\+xml|png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*", re.I)
_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.I)


def safe_url(url: str, *, image: bool = False) -> bool:
    """Whether a link (or, with `image`, an image source) may be in a page: http(s), mailto, a
    fragment or a relative address; an image only a base64 data URI of a picture or http(s).

    >>> safe_url("https://x.nl"), safe_url("clienten.html#a"), safe_url("JavaScript:alert(1)")
    (True, True, False)
    >>> safe_url("data:image/svg+xml;base64,PHN2Zz4=", image=True), safe_url("data:text/html,x", image=True)
    (True, False)
    >>> safe_url("../../../home/secret.png", image=True)
    False
    """
    # Browsers ignore control characters and spaces inside a scheme: "java\tscript:".
    compact = re.sub(r"[\x00-\x20\x7f]", "", url)
    scheme = _SCHEME.match(compact)
    if scheme is None:
        # A relative link: another page of the report, or a heading on this one. A relative
        # image would be read from disk by the PDF renderer: our pictures are data URIs.
        return not image
    name = scheme.group(1).lower()
    if name == "data":
        return image and bool(_IMAGE_DATA.fullmatch(url.strip()))
    return name in _LINK_SCHEMES


def _url_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src"):
        return value if safe_url(value, image=(tag == "img" and attribute == "src")) else None
    if attribute == "srcset":  # ours holds one picture, a data URI, and no size (charts.py)
        return value if safe_url(value, image=True) else None
    return value


def _clean(html: str, tags: set[str], attributes: dict[str, set[str]]) -> str:
    return nh3.clean(
        html,
        tags=tags,
        clean_content_tags=_CLEAN_CONTENT,
        attributes=attributes,
        generic_attribute_prefixes={"aria-"},
        attribute_filter=_url_filter,
        url_schemes=_LINK_SCHEMES | {"data"},  # data: only for images, see _url_filter
        link_rel=None,  # our links need no rel; nh3 would add one to every link
        filter_style_properties=_STYLE_PROPERTIES,
        strip_comments=True,
    )


class _Audit(HTMLParser):
    """Collects what a cleaner will take out that could run code or is no markup of ours."""

    def __init__(self, tags: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.tags = tags
        self.found: dict[str, None] = {}  # in order, once each

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.tags:
            self.found[f"<{tag}>"] = None
        for name, value in attrs:
            if name.startswith("on"):
                self.found[f"{name}="] = None
            elif name in ("href", "src", "srcset") and value and not safe_url(
                    value, image=(tag in ("img", "source") and name in ("src", "srcset"))):
                scheme = _SCHEME.match(re.sub(r"[\x00-\x20\x7f]", "", value))
                shown = f"{scheme.group(1).lower()}:" if scheme else f"{value[:40]} (een bestand op schijf)"
                self.found[f"{name}={shown}"] = None


def refused(html: str, *, prose: bool = False) -> list[str]:
    """What `clean_body` (with `prose`: `clean_prose`) takes out of `html`: tags that are not ours,
    event handlers and unsafe addresses; for a warning that names them.

    >>> refused('<p onclick="x()">a <a href="javascript:x">b</a><script>c</script></p>')
    ['onclick=', 'href=javascript:', '<script>']
    """
    audit = _Audit(_MARKDOWN_TAGS if prose else _BODY_TAGS)
    audit.feed(html)
    audit.close()
    return list(audit.found)


def clean_prose(html: str) -> str:
    """HTML rendered from a prose page, with only what Markdown itself produces.

    >>> clean_prose('<p onclick="x()">Hoi <a href="javascript:alert(1)">klik</a><script>x()</script></p>')
    '<p>Hoi <a>klik</a></p>'
    """
    return _clean(html, _MARKDOWN_TAGS, _MARKDOWN_ATTRIBUTES)


def clean_body(html: str) -> str:
    """A chapter body with only our own markup: tables, charts, notes and what Markdown produces.

    >>> clean_body('<div class="jv-table-wrap" role="region" tabindex="0" aria-label="T" onfocus="x()">t</div>')
    '<div class="jv-table-wrap" role="region" tabindex="0" aria-label="T">t</div>'
    """
    return _clean(html, _BODY_TAGS, _BODY_ATTRIBUTES)


# ---- Markdown to HTML ----------------------------------------------------------------


# The Markdown that notebooks speak: nbconvert's plugins (`MarkdownWithMath.DEFAULT_PLUGINS`),
# with mistune itself, since importing nbconvert in a chapter kernel costs a second (its
# jsonschema builds a grammar on import) for the same HTML.
_PLUGINS = ("strikethrough", "table", "url", "task_lists", "def_list")


@functools.lru_cache(maxsize=1)
def _markdown() -> mistune.Markdown:
    import mistune

    return mistune.create_markdown(escape=False, plugins=list(_PLUGINS))


def markdown_html(source: str) -> str:
    """Markdown as HTML, as a notebook's Markdown cell renders; not yet cleaned.

    >>> markdown_html("## Kop\\n\\nMet **6.421** cliënten.")
    '<h2>Kop</h2>\\n<p>Met <strong>6.421</strong> cliënten.</p>\\n'
    """
    return str(_markdown()(source))


@functools.lru_cache(maxsize=1)
def _markdown_tokens() -> mistune.Markdown:
    import mistune

    return mistune.create_markdown(renderer=None, plugins=list(_PLUGINS))


def _tokens_plain(tokens: Iterable[dict[str, Any]]) -> bool:
    for token in tokens:
        if token["type"] in ("block_html", "inline_html"):
            return False
        url = token.get("attrs", {}).get("url")
        if url is not None and not safe_url(url, image=token["type"] == "image"):
            return False
        if not _tokens_plain(token.get("children", ())):
            return False
    return True


def plain_markdown(source: str) -> bool:
    """Whether Markdown is only Markdown: no HTML of its own, no unsafe link, and no braces
    (Pandoc reads `{...}` as attributes or raw HTML: Quarto would pass it on unchecked).

    >>> plain_markdown("## Kop\\n\\n> **Met elkaar** en [ons](https://x.nl)")
    True
    >>> [plain_markdown(s) for s in ("<b>x</b>", "[a](javascript:x)", "[a]{onclick=x}")]
    [False, False, False]
    """
    if "{" in source:
        return False
    tokens = _markdown_tokens()(source)  # a list of tokens: the parser has no renderer
    return isinstance(tokens, list) and _tokens_plain(tokens)
