"""svgrender: turn SVG templates into personalised images."""

__version__ = "0.1.0"
