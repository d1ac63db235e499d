"""The pages written from a release: home, province, county and township pages, indicator pages, the
archive's bundles, feeds, the finder's pieces, charts and the blocks they share.
"""
