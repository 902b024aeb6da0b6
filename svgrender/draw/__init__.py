"""Drawing: CairoSVG with our seams (a table, installed explicitly), walker, filters, masks, text, images."""
