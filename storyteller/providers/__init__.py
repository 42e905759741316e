"""Providers behind small protocols (protocols.py): offline ones by default, OpenAI and Polly when configured.

Each call keeps to its deadline (budgets.py) and reports what it cost (pricing.py).
"""
