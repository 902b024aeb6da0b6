"""The official Python client of the svgrender HTTP API (`Client`, `AsyncClient`)."""

from svgrender.client.client import AsyncClient, Client, render_body
from svgrender.client.types import (ApiError, BatchStatus, Box, LayerParam, Links, Pending,
                                    Rendered, RenderRequest, Template, TemplateInfo)

__all__ = ["ApiError", "AsyncClient", "BatchStatus", "Box", "Client", "LayerParam", "Links",
           "Pending", "Rendered", "RenderRequest", "Template", "TemplateInfo", "render_body"]
