"""The harvest: sources.yaml in, what each source published tonight out.

Takes the registry of sources (``registry``), reads each source's listing pages (``discover``),
fetches what is new or asked again (``fetch``) through one polite HTTP client per source
(``http``: timeouts, retries, rate limits, robots.txt, the SSRF guard; ``browser`` passes a
JavaScript challenge; ``limits`` shares a host's rate across machines through Prefect), and parses
and extracts each fetched report (``source.harvest_source``). Gives one ``SourceHarvest`` per
source (``flows.records``); writes nothing but raw bytes, by their sha256.
"""
