"""Bytes in and out: image loaders and decoding, raster encoders, storage backends."""
