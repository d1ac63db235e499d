"""The I/O shell: every network, disk and database call of Fazhi Atlas lives here.

Start at the two entry points: ``nightly.py`` (the Prefect flow, one night) and ``cli.py`` (the
``fazhi`` command, which runs it and everything around it). The sub-packages are the night's
stages, in the order data flows through them, each one's ``__init__`` saying what it takes and
gives:

    harvest/   sources.yaml → listings → fetched bytes → parsed, extracted reports (one per source)
    store/     the SQLite store and the raw bytes: merge, one writer, nothing deleted
    reextract  stored bytes read again when the extraction rules change
    release/   the store → an immutable, verified, versioned release
    publish/   a release → the site; the data directory saved between machines
    evaluate/  gold sets → training scores

``records.py`` holds the named records the stages hand each other; ``run/`` what any run is made
of (stopping, progress, the run report); ``demo/`` the bundled demo portals. The pure rules live
in ``parsers`` and the release format in ``dataset``; ``flows`` reaches ``parsers`` only through
``parsers.__all__``.
"""
