"""JSON shapes of the HTTP answers (DynaPictures' field names): built here and nowhere else."""

from __future__ import annotations

from svgrender.properties import properties_for
from svgrender.service import RenderResult
from svgrender.svg.xml import href
from svgrender.templates.current import current_values
from svgrender.templates.model import Template
from svgrender.templates.naming import unnamed_elements
from svgrender.templates.report import findings
from svgrender.templates.textboxes import placement


def image_answer(result: RenderResult, base_url: str, files) -> dict:
    """The nine fields of a render's answer (plus `warnings` when there are any)."""
    base = base_url.rstrip("/")

    def url(name: str) -> str:
        return files.public_url(name) or f"{base}/files/{name}"

    main, thumb, retina = result.files
    answer = {"id": result.id, "templateId": result.template_id, "imageUrl": url(main),
              "thumbnailUrl": url(thumb), "retinaThumbnailUrl": url(retina), "fileName": main,
              "metadata": result.metadata, "width": result.width, "height": result.height}
    if result.warnings:
        answer["warnings"] = result.warnings
    if result.layout:
        answer["layout"] = result.layout
    return answer


def warnings_header(warnings: list[str]) -> dict[str, str] | None:
    """HTTP headers are Latin-1: anything else is escaped rather than failing the answer."""
    if not warnings:
        return None
    text = "; ".join(warnings)[:2000]
    return {"X-Svgrender-Warnings": text.encode("ascii", "backslashreplace").decode("ascii")}


def text_placement(layer, template: Template | None) -> dict:
    """Anchor, growth, box and its source of a text layer (how a changed text is placed)."""
    if template is None or template.root is None:
        return {}
    return placement(layer.element, template.root, template.user_to_pixels)


def layer_json(layer, template: Template | None = None) -> dict:
    x, y, w, h = layer.box
    out = {"type": layer.kind, "name": layer.name, "x": round(x, 2), "y": round(y, 2),
           "width": round(w, 2), "height": round(h, 2)}
    if layer.label:
        out["label"] = layer.label
    element = layer.element
    if layer.kind == "text":
        out["text"] = template.text_of(layer) if template is not None else " ".join(
            "".join(element.itertext()).split())
        out.update(text_placement(layer, template))
    fill = element.get("fill")
    if fill and not fill.startswith("url("):
        out["color"] = fill
    link = href(element) if layer.kind == "image" else None
    if link and link.startswith(("http://", "https://")):
        out["imageUrl"] = link
    out["properties"] = properties_for(layer.kind)
    if template is not None and template.root is not None:
        out["current"] = current_values(layer, template)  # the template's own values
    return out


def template_summary(template: Template) -> dict:
    out = {"id": template.id, "name": template.name, "width": template.width,
           "height": template.height, "layerCount": len(template.listed_layers())
           if not template.error else 0, "valid": template.error is None,
           "version": template.version}
    if template.error:
        out["error"] = template.error
    return out


def template_detail(template: Template) -> dict:
    """The template with its layers, findings and unnamed elements: walks the whole tree and may
    ask fontconfig, so handlers call it in a thread, never on the event loop."""
    body = template_summary(template)
    body["layers"] = [layer_json(layer, template) for layer in template.listed_layers()]
    body["findings"] = [finding.json() for finding in findings(template)]
    body["unnamed"] = [{"path": path, "type": kind, "x": round(x, 2), "y": round(y, 2),
                        "width": round(w, 2), "height": round(h, 2)}
                       for path, kind, (x, y, w, h) in unnamed_elements(template)]
    return body
