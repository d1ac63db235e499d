"""The site generator: a release folder → MkDocs Material pages → a static site.

Imported as ``sitegen``: a package named ``site`` would be shadowed by the standard library.
It reads releases only, never the store or the fetcher, so the site always shows a snapshot
that anyone can download and cite.
"""
