"""Reading government sites rather than reports: listing pages, portal families and their report
columns (discovery; never part of a record, so never part of the extractor version).
"""
