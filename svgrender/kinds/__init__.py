"""Layer kinds drawn into a layer's box: QR codes, barcodes, ratings, charts, and image effects.

Each module holds the handlers of its registry entries (apply.PROPERTIES); a handler receives the
apply.Target of one layer. The drawn kinds (qr, barcode, rating, chart) replace the layer's
content with a <g> of vector shapes placed in the layer's measured box (place.py), so every
output format and both thumbnails draw them from the same tree.
"""
