"""Loading a template where untrusted work is allowed (a worker process, or this process for the
CLI and SVGRENDER_WORKERS=0), and rebuilding the API process's copy from what the worker learned.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from svgrender.notices import Notices, collecting
from svgrender.settings import Settings
from svgrender.svg.prepare import prepare_root
from svgrender.svg.sanitize import Limits, inflate
from svgrender.svg.xml import local_name, parse_svg
from svgrender.templates.model import Template, index_layers, load_prepared
from svgrender.templates.naming import name_element, set_attributes


@dataclass
class TemplateSource:
    """What a worker is asked to load: a stored file, or an upload to sanitise first."""

    template_id: str
    data: bytes
    upload: bool = False  # sanitise, add `title`, apply `rename`; send back the bytes to store
    title: str | None = None
    rename: tuple[str, str] | None = None  # (element path, layer name)
    attributes: tuple[str, dict] | None = None  # (element path, {attribute: value}) to set


@dataclass
class TemplateFacts:
    """What a worker learned loading a template, small and picklable: the API process builds
    its Template from this without parsing untrusted CSS, decoding images or drawing."""

    version: str
    prepared: bytes  # the tree after sanitising (our own serialisation), images not decoded
    width: int
    height: int
    viewbox: tuple[float, float, float, float]
    boxes: list[tuple[int, tuple]]  # (position in root.iter(), ink box in 1x px)
    removed: list[str]
    dropped_images: list[str]
    clean: bytes | None = None
    text_lines: list[tuple[int, dict]] | None = None  # (position, a text's own lines)  # uploads: the sanitised file to store


def clean_upload(source: TemplateSource, settings: Settings) -> tuple[bytes, list[str]]:
    """An uploaded file sanitised (what is stored), with its title and any new layer name."""
    root = parse_svg(inflate(source.data, settings.max_template_bytes))
    removed = prepare_root(root, Limits.from_settings(settings))
    if source.title:  # the name asked for wins over the file's own <title> ("Artboard 1")
        title = next((c for c in root if local_name(c) == "title"), None)
        if title is None:
            title = etree.Element("{http://www.w3.org/2000/svg}title")
            root.insert(0, title)
        for child in list(title):  # (a title holds text only)
            title.remove(child)
        title.text = source.title[:200]
    if source.rename:
        name_element(root, *source.rename)
    if source.attributes:
        set_attributes(root, *source.attributes)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), removed


def load_here(source: TemplateSource, settings: Settings) -> tuple[Template, bytes | None]:
    """In this process (the CLI, SVGRENDER_WORKERS=0, a worker's own store): the template and,
    for an upload, the sanitised bytes to store."""
    # measuring the layers warns once per distinct warning
    template, _, clean = _load_source(source, settings, serialise=False, notices=collecting([]))
    return template, clean


def facts_for_api(source: TemplateSource, settings: Settings) -> TemplateFacts:
    """In a worker process: everything untrusted about a template (parse, sanitise, decode
    embedded images, draw to measure), answered as facts the API process can trust."""
    return load_for_api(source, settings)[1]


def load_for_api(source: TemplateSource, settings: Settings) -> tuple[Template, TemplateFacts]:
    """The template itself too: the worker keeps it for the renders that usually follow."""
    # measuring the layers warns once per distinct warning
    template, prepared, clean = _load_source(source, settings, serialise=True,
                                             notices=collecting([]))
    position = {el: i for i, el in enumerate(template.order)}
    return template, TemplateFacts(template.version, prepared, template.width, template.height,
                         template.viewbox,
                         [(position[el], box) for el, box in template.boxes.items()
                          if el in position],
                         template.removed, template.dropped_images, clean,
                         [(position[el], lines) for el, lines in template.text_lines.items()
                          if el in position])


def _load_source(source: TemplateSource, settings: Settings, serialise: bool,
                 notices: Notices | None = None):
    data, clean, removed = source.data, None, None
    if source.upload:
        clean, removed = clean_upload(source, settings)
        data = clean
    template, prepared = load_prepared(source.template_id, data, settings, serialise=serialise,
                                       notices=notices)
    if removed is not None:
        template.removed = removed  # the stored file, sanitised already, loses nothing more
    return template, prepared, clean


def template_from_facts(template_id: str, facts: TemplateFacts) -> Template:
    """The API process's copy of a template a worker loaded: layers, boxes and report, no
    decoded images (it never draws)."""
    template = Template(template_id, facts.version, removed=facts.removed,
                        dropped_images=facts.dropped_images)
    root = parse_svg(facts.prepared)
    order = list(root.iter())
    boxes = {order[i]: tuple(box) for i, box in facts.boxes if i < len(order)}
    lines = {order[i]: value for i, value in facts.text_lines or () if i < len(order)}
    index_layers(template, root, facts.viewbox, boxes, (facts.width, facts.height), lines)
    return template
