"""Whose report, for which year, of which kind: the register of places, the evidence in the text
and its furniture, the decision over it (places, identify, register, titles).
"""
