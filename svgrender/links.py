"""Render links: a GET URL that names a render (template, format, params) and its signature.

    /links/{templateId}.{format}?{layer}.{property}={value}&…&s={signature}

The signature is HMAC-SHA256 over the *canonical* link: the path, "?", then every query pair but
`s`, each key and value percent-encoded (RFC 3986: only A-Z a-z 0-9 - _ . ~ stay as they are,
UTF-8, upper-case hex), the "key=value" strings sorted by byte order and joined by "&". The MAC
is base64url without padding, cut to SIGNATURE_CHARS characters (192 bits). The same rule is
written out, with signers in Python and JavaScript, in docs/links.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

import msgspec

from svgrender.errors import BadRequest, InvalidParam, InvalidSignature, LinkTooLong, NotFound
from svgrender.params import RenderRequest, params_from_pairs, query_value

SIGNATURE_CHARS = 32
MAX_LINK_BYTES = 8 * 1024
SIZES = {"": 0, "thumb": 1, "thumb2x": 2}  # index into a render's files
RESERVED = {"s", "v", "scale", "size"}


def encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical(path: str, pairs: list[tuple[str, str]]) -> str:
    """What is signed: the path and the sorted, re-encoded query without `s`."""
    query = sorted(f"{encode(k)}={encode(v)}" for k, v in pairs if k != "s")
    return f"{path}?{'&'.join(query)}"


def signature(key: str, path: str, pairs: list[tuple[str, str]]) -> str:
    mac = hmac.new(key.encode(), canonical(path, pairs).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")[:SIGNATURE_CHARS]


def signed_url(base: str, key: str | None, path: str, pairs: list[tuple[str, str]]) -> str:
    """The link as a client should use it: canonical query, then `s` (none without a key)."""
    text = canonical(path, pairs)
    if key is not None:
        text += ("&" if pairs else "") + "s=" + signature(key, path, pairs)
    return base.rstrip("/") + text.rstrip("?")


def check_signature(keys: tuple[str, ...], unsigned_ok: bool, path: str,
                    pairs: list[tuple[str, str]]) -> None:
    """403 unless one of the keys signed this link (or the operator accepts unsigned links)."""
    given = dict(pairs).get("s")
    if given is None:
        if unsigned_ok:
            return
        raise InvalidSignature("this link has no signature (`s`); make links with POST /links/"
                            "{templateId} or `svgrender link`", field="s",
                            code="missing_signature")
    if not keys:
        raise InvalidSignature("render links are off: the operator has set no "
                            "SVGRENDER_LINK_KEYS", field="s", code="links_disabled")
    ok = False
    for key in keys:  # every key, always: timing says nothing about which one matched
        ok |= hmac.compare_digest(signature(key, path, pairs).encode(),
                                  given.encode("utf-8", "replace"))
    if not ok:
        raise InvalidSignature("the link's signature does not match its path and query "
                            "(changed, or signed with another key)", field="s")


@dataclass
class Link:
    template_id: str
    extension: str  # as written in the path: it is part of what is signed
    pairs: list[tuple[str, str]]
    version: str | None
    size: int  # 0 main image, 1 thumbnail, 2 retina thumbnail
    prefix: str = "/links/"  # "/links/sets/" for a link to a member of a template set

    @property
    def path(self) -> str:
        return f"{self.prefix}{self.template_id}.{self.extension}"

    def take_member(self) -> str:
        """A set link's `member` (signed with the rest, then taken out of the params)."""
        given = [v for k, v in self.pairs if k == "member"]
        if len(given) != 1 or not given[0]:
            raise InvalidParam("a link to a set names one of its templates: member={templateId}",
                               field="member", code="missing_member")
        self.pairs = [(k, v) for k, v in self.pairs if k != "member"]
        return given[0]

    def request(self, format: str | None = None) -> RenderRequest:
        """The same RenderRequest a POST with these params would carry (validated later);
        `format`: what an `auto` link was negotiated to."""
        given = dict(self.pairs)
        try:
            scale = float(given.get("scale", "1"))
        except ValueError:
            raise InvalidParam(f"scale must be a number, got {given['scale'][:20]!r}",
                               field="scale", code="invalid_scale") from None
        layered = sorted((k, v) for k, v in self.pairs if k not in RESERVED)
        return RenderRequest(params=params_from_pairs(layered), format=format or self.extension,
                             scale=scale)


def parse_link(name: str, query: str) -> Link:
    """`name` is the last path segment (`{templateId}.{format}`), `query` the raw query."""
    if len(name) + len(query) > MAX_LINK_BYTES:
        raise LinkTooLong(f"links are limited to {MAX_LINK_BYTES} bytes; POST the render "
                          "instead")
    template_id, dot, extension = name.rpartition(".")
    if not dot or not template_id:
        raise NotFound("a link names its template and format: /links/{templateId}.{format}",
                       code="not_a_link")
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False,
                          errors="strict", max_num_fields=1000)
    except UnicodeDecodeError:
        raise BadRequest("the link's query is not valid UTF-8", code="invalid_query") from None
    except ValueError as exc:
        raise InvalidParam(f"bad link query: {exc}"[:200], code="invalid_query") from None
    return Link(template_id, extension, pairs, None, 0)


def validate_link(link: Link) -> Link:
    """After the signature: repeated and unknown keys, the size and the pinned version."""
    seen: set[str] = set()
    for key, _ in link.pairs:
        if key in seen:
            raise InvalidParam(f"{key!r} is given twice", field=key, code="repeated_param")
        seen.add(key)
        if key not in RESERVED and "." not in key:
            raise InvalidParam(f"unknown link parameter {key!r}: use layer.property=value, "
                               "scale, size or v", field=key, code="unknown_param")
    given = dict(link.pairs)
    size = given.get("size", "")
    if size not in SIZES:
        raise InvalidParam(f"size must be thumb or thumb2x, got {size[:20]!r}", field="size",
                           code="invalid_size")
    link.version, link.size = given.get("v") or None, SIZES[size]
    return link


def request_pairs(request: RenderRequest) -> list[tuple[str, str]]:
    """A render body as link query pairs (the inverse of Link.request)."""
    pairs = [(f"{param.name}.{prop}", query_value(value))
             for param in request.params for prop, value in param.given().items()]
    if request.scale != 1:
        pairs.append(("scale", query_value(request.scale)))
    return pairs


def link_key(template_id: str, version: str, request: RenderRequest) -> str:
    """Where a link's render is indexed: the same link, template version and params."""
    material = msgspec.json.encode({"link": [template_id, version], "params": request.params,
                                    "format": request.format, "scale": request.scale})
    return hashlib.sha256(material).hexdigest()



def link_urls(base: str, key: str | None, template_id: str, request: RenderRequest,
              version: str | None = None, set_id: str | None = None) -> dict[str, str]:
    """The three signed URLs of a render body (main image, thumbnail, retina thumbnail); with
    `set_id`, links to that set's member `template_id`."""
    pairs = request_pairs(request) + ([("v", version)] if version else [])
    path = f"/links/{template_id}.{request.format}"
    if set_id is not None:
        pairs.append(("member", template_id))
        path = f"/links/sets/{set_id}.{request.format}"
    urls = {field: signed_url(base, key, path, pairs + extra) for field, extra in (
        ("url", []), ("thumbnailUrl", [("size", "thumb")]),
        ("retinaThumbnailUrl", [("size", "thumb2x")]))}
    if max(len(url) - len(base.rstrip("/")) for url in urls.values()) > MAX_LINK_BYTES:
        raise LinkTooLong(f"these params make a link over {MAX_LINK_BYTES} bytes; POST the "
                          "render instead")
    return urls
