"""The figures a report states: numbers as written, the indicator table, every count found then
classified, the year's value chosen, and the checks between figures.
"""
