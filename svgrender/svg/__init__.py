"""SVG documents: hardened parsing, the sanitiser, units, colours, CSS filter rewriting."""
