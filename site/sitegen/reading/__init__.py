"""What the site reads of a release: its files by bucket (buckets.json), the digests that say a page
is unchanged, the fields' descriptions and the indicators' definitions.
"""
