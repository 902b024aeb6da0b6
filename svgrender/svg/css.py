"""CSS in templates, parsed (tinycss2) rather than matched: escapes are decoded before any check,
so `\\75rl(http://…)` is the `url(` it stands for. Only fragment (`#id`) and `data:` references
survive; @import, @font-face and every other at-rule but @media/@supports are dropped."""

from __future__ import annotations

import re

import tinycss2

from svgrender.svg.plain_css import plain_sheet

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


# `name(` for every function that loads: without one of them (and without an escape, which could
# spell one), tokenising finds no url token nor loading function (`translate(…)`, `rgb(…)`).
LOADING_CALLS = tuple(f"{name}(" for name in LOADING_FUNCTIONS)


def value_loads_outside(value: str) -> str | None:
    """For presentation attributes (`fill="url(…)"`): what they would load, or None."""
    if "(" not in value and "\\" not in value:
        return None
    if "\\" not in value:
        lowered = value.lower()
        if not any(call in lowered for call in LOADING_CALLS):
            return None  # an Illustrator gradientTransform: 1,000 of them, not tokenised
    return _loads_outside(tinycss2.parse_component_value_list(value))


def clean_declarations(text, removed: list[str], where: str) -> str:
    """A style attribute (or a rule's parsed content) without declarations that load anything
    from outside the file."""
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
    rules = plain_sheet(text)  # Illustrator's `.cls-N{…}` sheets: nothing in them loads
    if rules is not None and not any(name.lower().startswith("behavior")
                                     for _, _, declarations in rules for name, _ in declarations):
        return "\n".join(f"{'.' if kind == 'class' else '#'}{name}{{"
                         + ";".join(f"{prop}:{value}" for prop, value in declarations) + "}"
                         for kind, name, declarations in rules)
    out = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            body = clean_declarations(rule.content, removed, where)  # its tokens: no re-parse
            out.append(f"{tinycss2.serialize(rule.prelude).strip()}{{{body}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in KEPT_AT_RULES and rule.content:
            inner = clean_stylesheet(tinycss2.serialize(rule.content), removed, where)
            out.append(f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()}"
                       f"{{{inner}}}")
        elif rule.type == "at-rule":
            removed.append(f"@{rule.lower_at_keyword} in {where}")
    return "\n".join(out)


def simple_selector(prelude) -> tuple[str, str] | None:
    """`("class", name)` for a prelude that is exactly `.name`, `("id", name)` for `#name`,
    else None (selectors cssselect2 compiles and matches)."""
    tokens = list(prelude)
    while tokens and tokens[0].type in ("whitespace", "comment"):
        tokens.pop(0)
    while tokens and tokens[-1].type in ("whitespace", "comment"):
        tokens.pop()
    if len(tokens) == 1 and tokens[0].type == "hash" and tokens[0].is_identifier:
        return "id", tokens[0].value
    if (len(tokens) == 2 and tokens[0].type == "literal" and tokens[0].value == "."
            and tokens[1].type == "ident"):
        return "class", tokens[1].value
    return None


CLASS_NAMES = re.compile(r"[^ \t\r\n\f]+")  # how cssselect2 splits `class`
SIMPLE_SPECIFICITY = {"id": (1, 0, 0), "class": (0, 1, 0)}


def inline_stylesheets(root, index_simple: bool = True) -> None:
    """Write what each <style> rule sets into the `style` attribute of every element it
    matches, once at template load, and drop the rules that were written in. CairoSVG would
    otherwise match every rule against every element on each draw; an Illustrator export
    styles each shape by its own class (11,000 rules × 11,000 circles).

    The cascade is kept: rule declarations in specificity order (then source order), then the
    element's own declarations, then `!important` ones (which CairoSVG applies in that order).
    Rules whose selector is one class or one id (all of an Illustrator export's) are looked up
    by the element's classes and id without compiling them (`index_simple`; the tests compare
    it with cssselect2 doing every rule); every other selector goes through cssselect2."""
    import cssselect2

    sheets = [el for el in root.iter("{http://www.w3.org/2000/svg}style")
              if el.text and el.get("type", "text/css") == "text/css"]
    if not sheets:
        return
    normal, important = cssselect2.Matcher(), cssselect2.Matcher()
    simple: dict[tuple[str, str], list] = {}  # (kind, name) -> [(specificity, order, plain, strong)]
    complex_rules = found = False
    order = 0
    for sheet in sheets:
        rules = plain_sheet(sheet.text) if index_simple else None
        if rules is not None:  # one-class/one-id rules with plain bodies: split as text
            for kind, name, declarations in rules:
                order += 1
                plain = [(prop.lower(), value) for prop, value in declarations]
                simple.setdefault((kind, name), []).append((SIMPLE_SPECIFICITY[kind], order,
                                                            plain, []))
                found = True
            sheet.text = ""
            continue
        kept = []
        for rule in tinycss2.parse_stylesheet(sheet.text, skip_comments=True,
                                              skip_whitespace=True):
            if rule.type != "qualified-rule":
                kept.append(rule.serialize())
                continue
            key = simple_selector(rule.prelude) if index_simple else None
            if key is None:
                try:
                    selectors = cssselect2.compile_selector_list(rule.prelude)
                except cssselect2.SelectorError:
                    kept.append(rule.serialize())
                    continue
            plain, strong = [], []
            for item in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                        skip_whitespace=True):
                if item.type == "declaration" and not item.name.startswith("-"):
                    value = tinycss2.serialize(item.value).strip()
                    (strong if item.important else plain).append((item.lower_name, value))
            found = True
            if key is not None:
                order += 1
                simple.setdefault(key, []).append((SIMPLE_SPECIFICITY[key[0]], order, plain,
                                                   strong))
                continue
            for selector in selectors:
                if selector.pseudo_element is not None:
                    continue
                order += 1  # the payload carries the source order shared with `simple`
                complex_rules = True
                if plain:
                    normal.add_selector(selector, (order, plain))
                if strong:
                    important.add_selector(selector, (order, strong))
        sheet.text = "\n".join(kept)
    if not found:
        return
    if complex_rules:
        nodes = ((node.etree_element, node) for node in
                 cssselect2.ElementWrapper.from_xml_root(root).iter_subtree())
    else:  # no selector to compile: no wrapper needed
        nodes = ((element, None) for element in root.iter() if isinstance(element.tag, str))
    for element, node in nodes:
        matched = []  # (specificity, order, plain, strong)
        if simple:
            if element.get("id") is not None:
                matched += simple.get(("id", element.get("id")), ())
            for name in set(CLASS_NAMES.findall(element.get("class") or "")):
                matched += simple.get(("class", name), ())
        if node is not None:
            matched += [(specificity, payload[0], payload[1], [])
                        for specificity, _, _, payload in normal.match(node)]
            matched += [(specificity, payload[0], [], payload[1])
                        for specificity, _, _, payload in important.match(node)]
        if not matched:
            continue
        matched.sort(key=lambda entry: entry[:2])
        sheet_normal = [d for entry in matched for d in entry[2]]
        sheet_strong = [d for entry in matched for d in entry[3]]
        if not sheet_normal and not sheet_strong:
            continue
        own = element.get("style") or ""
        parts = [f"{name}:{value}" for name, value in sheet_normal]
        if own.strip():
            parts.append(own.strip().rstrip(";"))
        parts += [f"{name}:{value}!important" for name, value in sheet_strong]
        if sheet_strong and "!important" in own:
            # the element's own !important ones come last (they win over the sheet's)
            parts += [p for p in own.split(";") if "!important" in p]
        element.set("style", ";".join(parts))
