"""What a run is made of, whatever its stages: stopping cleanly on a signal or a deadline
(``stop``), a crash report (``crash``), progress lines (``progress``), the run report
(``report``), shards of a national night (``shards``), and reading local files safely
(``localfiles``: no FIFOs, devices or oversized files).
"""
