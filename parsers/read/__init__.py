"""Bytes in, text out: what a fetched file is (decode, formats, documents, article, classify) and its
normalised text (normalise). The first stage of extraction.
"""
