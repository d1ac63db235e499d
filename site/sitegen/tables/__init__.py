"""The accountability tables: each township's status per year, counts and shares per county and province,
rankings, the sources' health.
"""
