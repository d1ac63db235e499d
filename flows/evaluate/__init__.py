"""Evaluation: gold sets on disk in, TRAINING scores out (``fazhi evaluate``).

``goldset`` loads a gold set (figures, the year's values, ``.meta.json`` identification labels);
``identity`` scores identification. The scoring itself is pure (``parsers.evaluate``).
"""
