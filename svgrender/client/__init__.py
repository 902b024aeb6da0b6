"""The official Python client of the svgrender HTTP API (`Client`, `AsyncClient`)."""

from svgrender.client.client import AsyncClient, Client, render_body
from svgrender.client.types import (ApiError, BatchStatus, Box, LayerParam, Links, Pending,
                                    Rendered, RenderedMember, RenderedVariant, RenderRequest,
                                    SetImages, Template, TemplateInfo, Variants)

__all__ = ["ApiError", "AsyncClient", "BatchStatus", "Box", "Client", "LayerParam", "Links",
           "Pending", "Rendered", "RenderedMember", "RenderedVariant", "RenderRequest",
           "SetImages", "Template", "TemplateInfo", "Variants", "render_body"]
