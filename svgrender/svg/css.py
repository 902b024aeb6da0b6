"""CSS in templates, parsed (tinycss2) rather than matched: escapes are decoded before any check,
so `\\75rl(http://…)` is the `url(` it stands for. Only fragment (`#id`) and `data:` references
survive; @import, @font-face and every other at-rule but @media/@supports are dropped."""

from __future__ import annotations

import tinycss2

# Functions whose arguments name resources to load.
LOADING_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade",
                     "element", "paint"}
KEPT_AT_RULES = {"media", "supports"}


def safe_reference(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or value.lower().startswith("data:")


def _loads_outside(tokens) -> str | None:
    """The first reference to something outside the file, or None."""
    for token in tokens or ():
        kind = getattr(token, "type", "")
        if kind == "url" and not safe_reference(token.value):
            return token.value
        if kind == "function":
            name = token.lower_name
            if name in LOADING_FUNCTIONS:
                for argument in token.arguments:
                    if argument.type in ("string", "url") and not safe_reference(argument.value):
                        return argument.value
            found = _loads_outside(token.arguments)
            if found:
                return found
        if kind in ("() block", "[] block", "{} block"):
            found = _loads_outside(token.content)
            if found:
                return found
    return None


def value_loads_outside(value: str) -> str | None:
    """For presentation attributes (`fill="url(…)"`): what they would load, or None."""
    if "(" not in value and "\\" not in value:
        return None
    return _loads_outside(tinycss2.parse_component_value_list(value))


def clean_declarations(text: str, removed: list[str], where: str) -> str:
    """A style attribute without declarations that load anything from outside the file."""
    kept = []
    for item in tinycss2.parse_declaration_list(text, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration":
            if item.type != "error":
                removed.append(f"{item.type} in {where}")
            continue
        outside = _loads_outside(item.value)
        if outside is not None or item.lower_name.startswith("behavior"):
            removed.append(f"{item.lower_name}: {str(outside)[:60]} in {where}")
            continue
        kept.append(f"{item.name}:{tinycss2.serialize(item.value).strip()}"
                    + ("!important" if item.important else ""))
    return ";".join(kept)


def clean_stylesheet(text: str, removed: list[str], where: str = "<style>") -> str:
    out = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            body = clean_declarations(tinycss2.serialize(rule.content), removed, where)
            out.append(f"{tinycss2.serialize(rule.prelude).strip()}{{{body}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in KEPT_AT_RULES and rule.content:
            inner = clean_stylesheet(tinycss2.serialize(rule.content), removed, where)
            out.append(f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()}"
                       f"{{{inner}}}")
        elif rule.type == "at-rule":
            removed.append(f"@{rule.lower_at_keyword} in {where}")
    return "\n".join(out)
