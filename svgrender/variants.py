"""Variants: one request, one image per variant (`variants: [{"key": "de", "params": […]}]` on
top of the shared `params`), each with its own fit report — a design localised into N languages
in one call, saying where a translation did not fit."""

from __future__ import annotations

import msgspec

from svgrender.errors import InvalidParam, SvgRenderError
from svgrender.params import LayerParam

MAX_VARIANTS = 20


def check_variants(request) -> None:
    variants = request.variants or []
    if len(variants) > MAX_VARIANTS:
        raise InvalidParam(f"{len(variants)} variants given; the limit is {MAX_VARIANTS}",
                           field="variants", code="too_many_variants")
    seen = set()
    for index, variant in enumerate(variants):
        if not variant.key.strip() or len(variant.key) > 64:
            raise InvalidParam("a variant's key is 1-64 characters", field=f"variants[{index}].key")
        if variant.key in seen:
            raise InvalidParam(f"variant key {variant.key!r} is given twice",
                               field=f"variants[{index}].key", code="repeated_variant")
        seen.add(variant.key)
    if request.webhookUrl:
        raise InvalidParam("variants are answered at once: leave out webhookUrl (or send one "
                           "request per variant)", field="webhookUrl")


def variant_request(request, variant):
    """The shared request with the variant's params laid over it."""
    return laid_over(request, variant.params)


def laid_over(request, extra: list):
    """The shared request with `extra` params laid over its own (a property set there replaces
    the shared one on the same layer): a variant's or a page's render."""
    by_name: dict[str, dict] = {}
    order: list[str] = []
    for param in [*request.params, *extra]:
        if param.name not in by_name:
            order.append(param.name)
            by_name[param.name] = {}
        by_name[param.name].update(param.given())
    params = msgspec.convert([{"name": n, **by_name[n]} for n in order], list[LayerParam],
                             strict=True)
    return msgspec.structs.replace(request, params=params, variants=None, pages=None)


def in_variant(exc: SvgRenderError, index: int, key: str) -> SvgRenderError:
    """An error of one variant, named as such (`variants[2].params…`, "variant 'ar': …")."""
    exc.message = f"variant {key!r}: {exc.message}"
    exc.field = f"variants[{index}].{exc.field}" if exc.field else f"variants[{index}]"
    return exc
